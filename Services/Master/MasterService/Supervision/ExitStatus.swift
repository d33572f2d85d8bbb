/// How a child process ended, decoded from `waitpid`'s status word.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(code: Int32)
    case signaled(signal: Int32)
    /// The process never ran: spawning it failed.
    case notStarted(reason: String)

    /// Decodes a `waitpid` status (the WIFEXITED/WEXITSTATUS/WTERMSIG macros, which Swift cannot import).
    public init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited(code: (status >> 8) & 0xFF) : .signaled(signal: signal)
    }

    public var isCleanExit: Bool { self == .exited(code: 0) }

    public var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "signal \(signal)"
        case .notStarted(let reason): "not started: \(reason)"
        }
    }
}
