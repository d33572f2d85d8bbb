public import RPC

/// Which slice of a list to return: pages count from 1, newest items first.
public struct PageRequest: WireMessage, Hashable {
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
public struct Page<Item: WireMessage>: WireMessage {
    public var items: [Item]
    public var hasNext: Bool

    public init(items: [Item], hasNext: Bool) {
        self.items = items
        self.hasNext = hasNext
    }
}

// Inlinable so that a caller's module specializes it for its `Item`: the generic version
// reaches each item through witness tables, about a seventh of a page's decoding.
extension Page {
    @inlinable
    public init() { self.init(items: [], hasNext: false) }

    @inlinable
    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "items", &items)
        try fields.field(2, "hasNext", &hasNext)
    }
}

extension Page: Equatable where Item: Equatable {}
extension Page: Hashable where Item: Hashable {}

extension PageRequest {
    public init() { self.init(page: 1, size: DataLimits.defaultPageSize) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "page", &page)
        try fields.field(2, "size", &size)
    }
}
