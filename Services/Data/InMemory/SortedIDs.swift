/// Micropost ids in ascending order (creation order, since ids only grow). New posts append;
/// fixtures and deletions find their place by binary search.
struct SortedIDs: Sendable {
    private(set) var ascending: [Int64] = []

    var isEmpty: Bool { ascending.isEmpty }

    mutating func insert(_ id: Int64) {
        if let last = ascending.last, last < id {
            ascending.append(id)
            return
        }
        let index = position(of: id)
        if index < ascending.count, ascending[index] == id { return }
        ascending.insert(id, at: index)
    }

    mutating func remove(_ id: Int64) {
        let index = position(of: id)
        if index < ascending.count, ascending[index] == id { ascending.remove(at: index) }
    }

    var newestFirst: ReversedCollection<[Int64]> { ascending.reversed() }

    /// The first index whose id is not below `id`.
    private func position(of id: Int64) -> Int {
        var (low, high) = (0, ascending.count)
        while low < high {
            let middle = (low + high) / 2
            if ascending[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
