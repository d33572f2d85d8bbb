/// Replacements (recycles and chain-reload steps) waiting to run. Only one runs at a time
/// across the whole master: each slot's replacement is ready and its predecessor gone before
/// the next starts, so at every moment all other slots keep serving.
public struct ReplacementQueue: Sendable, Equatable {
    public private(set) var pending: [Entry] = []
    public private(set) var inProgress: Entry?

    public struct Entry: Sendable, Equatable {
        public var slot: SlotID
        public var reason: ReplacementReason
    }

    public init() {}

    /// Adds a replacement unless the slot already has one queued or running; returns whether it was added.
    /// - Parameter evenIfRunning: Queue it behind a replacement of the slot that is running,
    ///   for one that must start a newer executable than the running one may have.
    @discardableResult
    public mutating func enqueue(_ slot: SlotID, reason: ReplacementReason, evenIfRunning: Bool = false) -> Bool {
        guard !pending.contains(where: { $0.slot == slot }), evenIfRunning || inProgress?.slot != slot else { return false }
        pending.append(Entry(slot: slot, reason: reason))
        return true
    }

    public func contains(_ slot: SlotID) -> Bool {
        inProgress?.slot == slot || pending.contains { $0.slot == slot }
    }

    public var isIdle: Bool { inProgress == nil }

    /// Takes the next entry and marks it running; nil while one runs or none waits.
    public mutating func startNext() -> Entry? {
        guard inProgress == nil, !pending.isEmpty else { return nil }
        let next = pending.removeFirst()
        inProgress = next
        return next
    }

    public mutating func finish(_ slot: SlotID) {
        if inProgress?.slot == slot { inProgress = nil }
    }

    /// Whether chain-reload steps remain (queued or running), to report the reload's end once.
    public var hasReloadWork: Bool {
        inProgress?.reason == .reload || pending.contains { $0.reason == .reload }
    }

    public mutating func removeAll() {
        pending.removeAll()
        inProgress = nil
    }
}
