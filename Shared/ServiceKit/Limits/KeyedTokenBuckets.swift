import NIOConcurrencyHelpers

/// A ``TokenBucket`` per key (a client address, say), shared by all threads: nginx's
/// `limit_req`. Memory is bounded: buckets that have refilled are forgotten (a full bucket is
/// the same as a new one), and while `maximumKeys` are tracked, keys not yet tracked share one
/// bucket, so a flood from that many keys throttles newcomers together instead of growing the
/// table without end.
public final class KeyedTokenBuckets: Sendable {
    /// The key of the bucket that keys beyond `maximumKeys` share.
    public static let overflowKey = "(keys beyond the tracked maximum)"
    private static let sweepInterval = 10.0

    public let ratePerSecond: Double
    public let burst: Double
    public let maximumKeys: Int
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let start: ContinuousClock.Instant
    private let state: NIOLockedValueBox<State>

    private struct State {
        var buckets: [String: TokenBucket] = [:]
        var lastSweep = 0.0
    }

    /// - Parameters:
    ///   - ratePerSecond: tokens each key regains per second.
    ///   - burst: tokens a key may spend at once; a new key starts with all of them.
    ///   - clock: injectable for tests.
    public init(
        ratePerSecond: Double, burst: Double, maximumKeys: Int,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        precondition(ratePerSecond > 0 && burst > 0 && maximumKeys > 0, "token buckets need positive limits")
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.maximumKeys = maximumKeys
        self.clock = clock
        self.start = clock()
        self.state = NIOLockedValueBox(State())
    }

    /// Takes one token from `key`'s bucket.
    public func take(_ key: String) -> TokenBucket.Decision {
        let elapsed = clock() - start
        let now = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return state.withLockedValue { state in
            // When full, sweep early, but not on every request: each sweep walks the whole table.
            let sinceSweep = now - state.lastSweep
            if sinceSweep >= Self.sweepInterval || (state.buckets.count >= maximumKeys && sinceSweep >= 1) {
                state.buckets = state.buckets.filter { !$0.value.isFull(now: now) }
                state.lastSweep = now
            }
            let slot = state.buckets[key] != nil || state.buckets.count < maximumKeys ? key : Self.overflowKey
            var bucket = state.buckets[slot] ?? TokenBucket(rate: ratePerSecond, capacity: burst, now: now)
            let decision = bucket.take(now: now)
            state.buckets[slot] = bucket
            return decision
        }
    }

    public var trackedKeys: Int { state.withLockedValue { $0.buckets.count } }
}
