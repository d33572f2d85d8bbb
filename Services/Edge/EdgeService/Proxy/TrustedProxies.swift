import RPC

/// The proxies (load balancers, CDNs) whose `X-Forwarded-*` headers the edge believes.
/// From anyone else those headers are client input and are replaced, never appended to.
struct TrustedProxies: Sendable, Equatable {
    let ranges: [IPAddressRange]

    static let none = TrustedProxies(ranges: [])

    init(ranges: [IPAddressRange]) {
        self.ranges = ranges
    }

    /// A comma-separated list of CIDR ranges or addresses; nil if any entry is malformed.
    init?(parsing text: String) {
        var ranges: [IPAddressRange] = []
        for entry in text.split(separator: ",") where !entry.trimmingOptionalWhitespace().isEmpty {
            guard let range = IPAddressRange(entry) else { return nil }
            ranges.append(range)
        }
        self.ranges = ranges
    }

    func trusts(_ address: String) -> Bool {
        guard !ranges.isEmpty, let parsed = IPAddress(address) else { return false }
        return trusts(parsed)
    }

    func trusts(_ address: IPAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }
}
