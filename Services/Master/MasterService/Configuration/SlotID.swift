/// One place in the configuration, e.g. the second worker. A slot keeps its identity, its
/// ports and its counters across the processes that fill it one after another.
public struct SlotID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let service: ServiceKind
    public let index: Int

    public init(_ service: ServiceKind, _ index: Int) {
        self.service = service
        self.index = index
    }

    public static func < (lhs: SlotID, rhs: SlotID) -> Bool {
        let order = ServiceKind.allCases
        let left = order.firstIndex(of: lhs.service) ?? 0
        let right = order.firstIndex(of: rhs.service) ?? 0
        return left == right ? lhs.index < rhs.index : left < right
    }

    public var description: String { "\(service.rawValue)#\(index)" }
}

/// One process's life in a slot. Generations only grow, so an event about an instance that
/// has already been replaced can never be mistaken for one about its successor.
public struct InstanceID: Hashable, Sendable, CustomStringConvertible {
    public let slot: SlotID
    public let generation: Int

    public init(_ slot: SlotID, generation: Int) {
        self.slot = slot
        self.generation = generation
    }

    public var description: String { "\(slot)/\(generation)" }
}
