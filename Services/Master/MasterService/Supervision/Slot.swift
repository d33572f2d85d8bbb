/// Everything the supervisor knows about one slot: up to three processes at once (the
/// current one, its overlapping successor during a replacement, and old ones draining),
/// plus counters that outlive them.
public struct Slot: Sendable, Equatable {
    public enum Role: String, Sendable, Codable {
        case current
        case successor
        case retiring
    }

    public let id: SlotID
    public var current: Instance?
    public var successor: Instance?
    public var retiring: [Instance] = []
    /// Port alternative of the latest current instance; a crash restart reuses it.
    public var alternative = 0
    public var nextGeneration = 1
    /// Processes started because an earlier one died.
    public var restarts = 0
    /// Processes started to replace a live one (recycle or chain reload).
    public var replacements = 0
    /// Those of ``replacements`` that recycled the instance (a request or memory limit).
    public var recycles = 0
    public var lastExit: ExitRecord?
    public var lastReplacementReason: ReplacementReason?
    public var crashes = CrashHistory()
    public var restartPending = false
    public var replacing: ReplacementReason?
    public var isStopping = false

    public init(id: SlotID) {
        self.id = id
    }

    public var isReady: Bool { current?.phase == .ready }

    public var hasLiveInstances: Bool { current != nil || successor != nil || !retiring.isEmpty }

    public func role(of id: InstanceID) -> Role? {
        if current?.id == id { return .current }
        if successor?.id == id { return .successor }
        if retiring.contains(where: { $0.id == id }) { return .retiring }
        return nil
    }

    public func instance(_ id: InstanceID) -> Instance? {
        switch role(of: id) {
        case .current: current
        case .successor: successor
        case .retiring: retiring.first { $0.id == id }
        case nil: nil
        }
    }

    /// Applies `change` to the instance with this id, wherever it is.
    mutating func update(_ id: InstanceID, _ change: (inout Instance) -> Void) {
        switch role(of: id) {
        case .current:
            if var instance = current {
                change(&instance)
                current = instance
            }
        case .successor:
            if var instance = successor {
                change(&instance)
                successor = instance
            }
        case .retiring:
            if let index = retiring.firstIndex(where: { $0.id == id }) { change(&retiring[index]) }
        case nil: break
        }
    }

    /// Removes the instance and returns it with the role it had.
    mutating func remove(_ id: InstanceID) -> (Instance, Role)? {
        switch role(of: id) {
        case .current:
            defer { current = nil }
            return current.map { ($0, .current) }
        case .successor:
            defer { successor = nil }
            return successor.map { ($0, .successor) }
        case .retiring:
            guard let index = retiring.firstIndex(where: { $0.id == id }) else { return nil }
            return (retiring.remove(at: index), .retiring)
        case nil: return nil
        }
    }

    mutating func makeInstance(alternative: Int) -> Instance {
        defer { nextGeneration += 1 }
        return Instance(id: InstanceID(id, generation: nextGeneration), alternative: alternative)
    }
}
