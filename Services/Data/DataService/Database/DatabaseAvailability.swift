import NIOConcurrencyHelpers

/// What the health monitor last learned about the database, read by every call so that
/// calls fail at once with `unavailable` while it is known to be down instead of each one
/// waiting out the connect timeout.
final class DatabaseAvailability: Sendable {
    enum State: Sendable, Equatable {
        /// Migrations have not completed yet; the schema may be missing.
        case starting
        case reachable
        case unreachable(reason: String)
    }

    private let state = NIOLockedValueBox(State.starting)

    init(_ initial: State = .starting) {
        state.withLockedValue { $0 = initial }
    }

    var current: State { state.withLockedValue { $0 } }

    func set(_ newState: State) {
        state.withLockedValue { $0 = newState }
    }
}
