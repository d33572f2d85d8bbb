import NIOConcurrencyHelpers

/// Requests per second per client address with a burst (nginx's `limit_req`), shared by all
/// event loops. Buckets that have refilled are dropped periodically, so memory follows the
/// number of recently active clients, not of all clients ever seen.
final class RateLimiter: Sendable {
    let rate: Int
    let burst: Int
    private let clock: @Sendable () -> Double
    private let state = NIOLockedValueBox(State())

    private struct State {
        var buckets: [String: TokenBucket] = [:]
        var lastSweep = 0.0
    }

    /// - Parameters:
    ///   - rate: Tokens per second per client.
    ///   - burst: Requests a client may make at once before the rate applies.
    ///   - clock: Seconds on a monotonic clock; injectable for tests.
    init(rate: Int, burst: Int, clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.rate = rate
        self.burst = burst
        self.clock = clock
    }

    func take(client: String) -> TokenBucket.Decision {
        let now = clock()
        return state.withLockedValue { state in
            if now - state.lastSweep >= 10 || state.buckets.count > 100_000 {
                state.buckets = state.buckets.filter { !$0.value.isFull(now: now) }
                state.lastSweep = now
            }
            var bucket = state.buckets[client] ?? TokenBucket(rate: Double(rate), capacity: Double(burst), now: now)
            let decision = bucket.take(now: now)
            state.buckets[client] = bucket
            return decision
        }
    }

    var trackedClients: Int { state.withLockedValue { $0.buckets.count } }

    @Sendable static func monotonicSeconds() -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    private static let start = ContinuousClock.now
}
