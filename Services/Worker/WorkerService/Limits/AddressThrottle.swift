import Metrics
import NIOCore
import NIOConcurrencyHelpers

/// Attempts per client address per minute at one endpoint, as a token bucket: an address may
/// make `perMinute` attempts at once, then one every `60 / perMinute` seconds.
///
/// Kept in this worker's memory, so the limit is per worker instance: behind the edge, which
/// spreads requests over N workers, one address gets up to N times it. That is deliberate. This
/// limit's job is to stop one client from burning password hashes (CPU) and from spraying
/// guesses over many accounts, and it must cost nothing and answer before any other work —
/// a shared counter would add a database write to every refused request, the very load a
/// flood brings. Guessing one account's password is bounded centrally, in the database, by
/// the data service's per-account limit, whatever the number of workers.
///
/// IPv6 addresses count per /64, the block one client usually owns whole; otherwise a client
/// could take a fresh address for every attempt. Memory is bounded: buckets that have refilled
/// are forgotten, and while `maximumAddresses` are tracked, addresses not yet tracked share one
/// bucket — in a flood from that many addresses newcomers are throttled together rather than
/// the table growing without end.
final class AddressThrottle: Sendable {
    enum Decision: Sendable, Equatable {
        case allowed
        /// Whole seconds until an attempt is allowed, at least 1.
        case limited(retryAfter: Int)
    }

    let perMinute: Int
    let maximumAddresses: Int
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let state: NIOLockedValueBox<State>
    private let throttled: Counter
    private let trackedGauge: Gauge

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        var lastSweep: ContinuousClock.Instant
    }

    static let overflowKey = "(addresses beyond the tracked maximum)"
    private static let sweepInterval: Duration = .seconds(10)

    /// - Parameters:
    ///   - action: `login` or `register`, the `action` label of the metrics.
    ///   - clock: injectable for tests.
    init(
        action: String, perMinute: Int, maximumAddresses: Int,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        precondition(perMinute > 0 && maximumAddresses > 0, "an address throttle needs a positive limit")
        self.perMinute = perMinute
        self.maximumAddresses = maximumAddresses
        self.clock = clock
        state = NIOLockedValueBox(State(lastSweep: clock()))
        throttled = Counter(label: "auth_throttled_total", dimensions: [("action", action), ("scope", "address")])
        trackedGauge = Gauge(label: "auth_throttle_tracked_addresses", dimensions: [("action", action)])
    }

    func take(address: String) -> Decision {
        let key = Self.key(for: address)
        let now = clock()
        let capacity = Double(perMinute)
        let perSecond = capacity / 60
        let (decision, tracked): (Decision, Int) = state.withLockedValue { state in
            // When full, sweep early, but not on every request: each sweep walks the whole table.
            let sinceSweep = now - state.lastSweep
            if sinceSweep >= Self.sweepInterval || (state.buckets.count >= maximumAddresses && sinceSweep >= .seconds(1)) {
                state.buckets = state.buckets.filter { Self.tokens($0.value, now: now, perSecond: perSecond, capacity: capacity) < capacity }
                state.lastSweep = now
            }
            let slot = state.buckets[key] != nil || state.buckets.count < maximumAddresses ? key : Self.overflowKey
            var bucket = state.buckets[slot] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = Self.tokens(bucket, now: now, perSecond: perSecond, capacity: capacity)
            bucket.updated = now
            let decision: Decision
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                decision = .allowed
            } else {
                decision = .limited(retryAfter: max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))))
            }
            state.buckets[slot] = bucket
            return (decision, state.buckets.count)
        }
        trackedGauge.record(tracked)
        if decision != .allowed { throttled.increment() }
        return decision
    }

    var trackedAddresses: Int { state.withLockedValue { $0.buckets.count } }

    private static func tokens(_ bucket: Bucket, now: ContinuousClock.Instant, perSecond: Double, capacity: Double) -> Double {
        guard now > bucket.updated else { return bucket.tokens }
        let (seconds, attoseconds) = (now - bucket.updated).components
        return min(capacity, bucket.tokens + (Double(seconds) + Double(attoseconds) * 1e-18) * perSecond)
    }

    /// IPv4 addresses as they are, IPv6 ones by their /64 (IPv4-mapped ones as IPv4), and
    /// anything unparseable (the direct HTTP mode's "unknown") as its text.
    static func key(for address: String) -> String {
        guard address.utf8.contains(UInt8(ascii: ":")), let parsed = try? SocketAddress(ipAddress: address, port: 0),
            case .v6(let v6) = parsed
        else { return address }
        let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        guard bytes.count == 16 else { return address }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
