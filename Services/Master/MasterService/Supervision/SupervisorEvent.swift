/// Something that happened to the master or its children; the runtime feeds these to
/// ``Supervisor/handle(_:at:)``.
public enum SupervisorEvent: Sendable, Equatable {
    case spawned(InstanceID, pid: Int32)
    case spawnFailed(InstanceID, reason: String)
    /// Its `/readyz` answered 200.
    case ready(InstanceID)
    case readinessTimedOut(InstanceID)
    case exited(InstanceID, ExitStatus)
    case restartDue(SlotID)
    /// A ready successor has had time to be discovered by its callers.
    case handoverDue(InstanceID)
    /// An instance told to stop is still running after the stop timeout.
    case stopTimedOut(InstanceID)
    case measured(InstanceID, Usage)
    /// Periodic: time to measure instances for recycling and to notice recovered slots.
    case tick
    /// SIGHUP.
    case reloadRequested
    /// `--watch` rebuilt the service's executable: replace every instance of it, one at a
    /// time, whatever ``SupervisorPlan/reloadServices`` says.
    case rebuilt(ServiceName)
    /// SIGTERM or SIGINT.
    case shutdownRequested
}

/// What the supervisor asks the runtime to do.
public enum SupervisorAction: Sendable, Equatable {
    /// Start a process; report `.spawned` or `.spawnFailed`, then `.ready` or
    /// `.readinessTimedOut`, and `.exited` when it ends.
    case spawn(InstanceID, ports: InstancePorts)
    /// SIGTERM it; report `.stopTimedOut` if it still runs after the stop timeout.
    case stop(InstanceID, pid: Int32)
    case kill(InstanceID, pid: Int32)
    case restartAfter(SlotID, Duration)
    case handoverAfter(InstanceID, Duration)
    /// Read its request count and resident memory; report `.measured`.
    case measure(InstanceID, pid: Int32, adminPort: Int)
    case log(LogEntry)
    /// Everything has stopped after a shutdown request.
    case finished
}

/// A log line the supervisor wants written; kept free of swift-log so the state machine
/// stays a plain value that tests inspect directly.
public struct LogEntry: Sendable, Equatable {
    public enum Level: Sendable, Equatable {
        case info, warning, error
    }

    public var level: Level
    public var message: String
    public var metadata: [String: String]

    public init(_ level: Level, _ message: String, _ metadata: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.metadata = metadata
    }
}
