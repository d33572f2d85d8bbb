import NIOConcurrencyHelpers

/// Open connections per client address, at most `limit` each (nginx's `limit_conn`). Counted
/// by TCP peer: the one address known at accept, before any header could name another, and
/// the one a connection really ties up. Only addresses with open connections are kept.
struct AddressConnectionCounts: Sendable {
    let limit: Int
    private var counts: [IPAddress: Int] = [:]

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection from `address`; false (and not counted) past the limit.
    mutating func open(_ address: IPAddress) -> Bool {
        let open = counts[address, default: 0]
        guard open < limit else { return false }
        counts[address] = open + 1
        return true
    }

    mutating func close(_ address: IPAddress) {
        guard let open = counts[address] else { return }
        counts[address] = open > 1 ? open - 1 : nil
    }

    func openConnections(from address: IPAddress) -> Int { counts[address, default: 0] }

    var trackedAddresses: Int { counts.count }
}

/// ``AddressConnectionCounts`` shared by every event loop. A lock per connection opened and
/// closed, never per request.
final class ConnectionsPerAddress: Sendable {
    private let counts: NIOLockedValueBox<AddressConnectionCounts>
    /// Proxies multiplex many clients on their connections: capping them would cap everyone
    /// behind them, so they are bound by `--max-connections` only.
    private let exempt: TrustedProxies

    init(limit: Int, exempt: TrustedProxies) {
        counts = NIOLockedValueBox(AddressConnectionCounts(limit: limit))
        self.exempt = exempt
    }

    enum Admission: Equatable {
        /// Counted: call ``close(_:)`` with the address when the connection closes.
        case counted(IPAddress)
        /// Not subject to the cap (a trusted proxy, or no IP peer).
        case uncounted
        case refused
    }

    func open(peer: String?) -> Admission {
        guard let peer, let address = IPAddress(peer) else { return .uncounted }
        if exempt.trusts(address) { return .uncounted }
        return counts.withLockedValue { $0.open(address) } ? .counted(address) : .refused
    }

    func close(_ address: IPAddress) {
        counts.withLockedValue { $0.close(address) }
    }

    var trackedAddresses: Int { counts.withLockedValue { $0.trackedAddresses } }
}
