public import Foundation

/// Where an instance is in its life. A slot with no process shows `crashed` (a restart is
/// pending) or `stopped`.
public enum InstancePhase: String, Sendable, Codable {
    case starting
    case ready
    case draining
    case stopped
    case crashed
}

/// One process filling a slot.
public struct Instance: Sendable, Equatable {
    public let id: InstanceID
    /// Which of the slot's two port sets it uses (see ``ServicePorts``).
    public let alternative: Int
    public var pid: Int32?
    public var phase: InstancePhase = .starting
    public var startedAt: Date?
    public var readySince: ContinuousClock.Instant?

    public init(id: InstanceID, alternative: Int) {
        self.id = id
        self.alternative = alternative
    }
}

/// The last time an instance of a slot ended.
public struct ExitRecord: Sendable, Equatable {
    public var generation: Int
    public var status: ExitStatus
    public var at: Date
    /// False when the master asked it to stop.
    public var unexpected: Bool
}
