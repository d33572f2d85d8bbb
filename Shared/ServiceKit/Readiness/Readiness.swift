import NIOConcurrencyHelpers

/// Whether this process should receive traffic, as `/readyz` reports it.
///
/// Ready means: the service group has started, every named condition is true, and the
/// process is not draining. Services register their conditions before they start (so the
/// process is not ready until they say so) and flip them as dependencies come and go.
public final class Readiness: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var started = false
        public var draining = false
        public var conditions: [String: Bool] = [:]

        public var isReady: Bool {
            started && !draining && conditions.values.allSatisfy { $0 }
        }
    }

    private let state = NIOLockedValueBox(Snapshot())

    public init() {}

    /// Adds or updates a named condition, e.g. `set("database", ready: false)`.
    public func set(_ condition: String, ready: Bool) {
        state.withLockedValue { $0.conditions[condition] = ready }
    }

    /// Called by the lifecycle runner once the services are running.
    public func markStarted() {
        state.withLockedValue { $0.started = true }
    }

    /// Called by the lifecycle runner when shutdown begins; there is no way back.
    public func beginDraining() {
        state.withLockedValue { $0.draining = true }
    }

    public var isReady: Bool {
        state.withLockedValue { $0.isReady }
    }

    public var isDraining: Bool {
        state.withLockedValue { $0.draining }
    }

    /// A consistent view of all fields, taken under one lock.
    public func snapshot() -> Snapshot {
        state.withLockedValue { $0 }
    }
}
