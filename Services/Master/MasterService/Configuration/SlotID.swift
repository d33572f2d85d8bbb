/// One place in the configuration, e.g. the second worker. A slot keeps its identity, its
/// ports and its counters across the processes that fill it one after another.
public struct SlotID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let service: ServiceName
    public let index: Int

    public init(_ service: ServiceName, _ index: Int) {
        self.service = service
        self.index = index
    }

    /// By name, then index: a stable order for sets of slots. Where start order matters the
    /// supervisor sorts by ``SupervisorPlan/order`` instead.
    public static func < (lhs: SlotID, rhs: SlotID) -> Bool {
        lhs.service == rhs.service ? lhs.index < rhs.index : lhs.service < rhs.service
    }

    public var description: String { "\(service)#\(index)" }
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
