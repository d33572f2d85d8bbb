import RPC

/// Which slice of a list to return: pages count from 1, newest items first.
public struct PageRequest: Codable, Sendable, Hashable {
    public var page: Int
    public var size: Int

    public init(page: Int = 1, size: Int = DataLimits.defaultPageSize) {
        self.page = page
        self.size = size
    }
}

/// One page of a list and whether another one follows it.
///
/// `hasNext` is exact (the data service reads one item beyond the page), so a client can
/// offer a "next" link without requesting an empty page to find out.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var hasNext: Bool

    public init(items: [Item], hasNext: Bool) {
        self.items = items
        self.hasNext = hasNext
    }
}

extension Page: Equatable where Item: Equatable {}
extension Page: Hashable where Item: Hashable {}
