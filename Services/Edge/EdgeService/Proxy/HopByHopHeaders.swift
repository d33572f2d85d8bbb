import NIOHTTP1

/// Headers that describe one connection rather than the message (RFC 9110 §7.6.1); they never
/// cross the edge in either direction. Framing headers are dropped too: the edge frames each
/// side itself.
enum HopByHopHeaders {
    private static let names: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "expect", "content-length", "proxy-authenticate", "proxy-authorization",
    ]

    /// True for the fixed set and for any header the message's own `Connection` header names.
    static func matcher(for headers: HTTPHeaders) -> (String) -> Bool {
        let listed = Set(headers[canonicalForm: "connection"].map { $0.lowercased() })
        return { name in
            let lowered = name.lowercased()
            return names.contains(lowered) || listed.contains(lowered)
        }
    }
}
