import Metrics
import NIOCore
public import ServiceKit

/// Attempts per client address per minute at one endpoint, as a token bucket: an address may
/// make `perMinute` attempts at once, then one every `60 / perMinute` seconds.
///
/// Kept in this process's memory, so the limit is per app-server instance: behind the edge,
/// which spreads requests over N instances, one address gets up to N times it. That is the
/// point: such a limit stops one client from burning CPU (password hashes, say) before any
/// other work, at no cost — a shared counter would add a database write to every refused
/// request, the very load a flood brings. Limits that must hold across instances belong in
/// the backing service.
///
/// IPv6 addresses count per /64, the block one client usually owns whole; otherwise a client
/// could take a fresh address for every attempt. Memory is bounded: buckets that have refilled
/// are forgotten, and while `maximumAddresses` are tracked, addresses not yet tracked share one
/// bucket — in a flood from that many addresses newcomers are throttled together rather than
/// the table growing without end.
public final class AddressThrottle: Sendable {
    /// Attempts per address per minute, and the burst allowed at once.
    public let perMinute: Int
    /// How many addresses are tracked before newcomers share one bucket.
    public let maximumAddresses: Int
    private let buckets: KeyedTokenBuckets
    private let throttled: Counter
    private let trackedGauge: Gauge

    /// - Parameters:
    ///   - action: what is throttled, e.g. `login`: the `action` label of the metrics.
    ///   - clock: injectable for tests.
    public init(
        action: String, perMinute: Int, maximumAddresses: Int,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        precondition(perMinute > 0 && maximumAddresses > 0, "an address throttle needs a positive limit")
        self.perMinute = perMinute
        self.maximumAddresses = maximumAddresses
        buckets = KeyedTokenBuckets(
            ratePerSecond: Double(perMinute) / 60, burst: Double(perMinute), maximumKeys: maximumAddresses, clock: clock)
        throttled = Counter(label: "auth_throttled_total", dimensions: [("action", action), ("scope", "address")])
        trackedGauge = Gauge(label: "auth_throttle_tracked_addresses", dimensions: [("action", action)])
    }

    /// Takes one attempt for `address`.
    public func take(address: String) -> TokenBucket.Decision {
        let decision = buckets.take(Self.key(for: address))
        trackedGauge.record(buckets.trackedKeys)
        if decision != .allowed { throttled.increment() }
        return decision
    }

    /// How many address keys have a bucket now.
    public var trackedAddresses: Int { buckets.trackedKeys }

    /// IPv4 addresses as they are, IPv6 ones by their /64 (IPv4-mapped ones as IPv4), and
    /// anything unparseable (the direct HTTP mode's "unknown") as its text.
    public static func key(for address: String) -> String {
        guard address.utf8.contains(UInt8(ascii: ":")), let parsed = try? SocketAddress(ipAddress: address, port: 0),
            case .v6(let v6) = parsed
        else { return address }
        // `sin6_addr`, the 16 bytes at offset 8 of `sockaddr_in6` on Linux and Darwin alike, read
        // through the whole struct: MemberImportVisibility counts its fields as CNIOLinux's.
        let bytes = withUnsafeBytes(of: v6.address) { Array($0[8..<24]) }
        guard bytes.count == 16 else { return address }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
