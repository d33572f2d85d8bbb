import NIOConcurrencyHelpers

/// What the health monitor last learned about the database, read by every call so that
/// calls fail at once with `unavailable` while it is known to be down instead of each one
/// waiting out the connect timeout.
public final class DatabaseAvailability: Sendable {
    /// What is known about the database.
    public enum State: Sendable, Equatable {
        /// Migrations have not completed yet; the schema may be missing.
        case starting
        /// The last check got an answer.
        case reachable
        /// The last check failed, for `reason`.
        case unreachable(reason: String)
    }

    private let state = NIOLockedValueBox(State.starting)

    /// Starts as `initial`: `starting` until the monitor's migrations have run.
    public init(_ initial: State = .starting) {
        state.withLockedValue { $0 = initial }
    }

    /// The state now.
    public var current: State { state.withLockedValue { $0 } }

    /// Records what the monitor learned.
    public func set(_ newState: State) {
        state.withLockedValue { $0 = newState }
    }
}
