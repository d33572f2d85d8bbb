import RPC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The scheme, host and port the client addressed, from which absolute links are built.
///
/// Behind the edge these come in the envelope (the edge resolved `X-Forwarded-*` from trusted
/// proxies and the `Host` header); served directly they come from the `Host` header.
public struct RequestOrigin: Sendable, Equatable {
    /// `http` or `https`, lowercased.
    public let scheme: String
    /// A registered name or an IP literal (IPv6 unbracketed).
    public let host: String
    /// The port, default ones included.
    public let port: Int
    /// `https://example.com` or `http://[::1]:8080`: the default port is left out. Built once,
    /// as every link of a response starts with it.
    public let baseURL: String

    /// Nil for a scheme other than http/https, a port out of range, or a host with characters
    /// that could break out of a URL (`/`, `@`, spaces, …): such a value would end up in every
    /// link of the response.
    public init?(scheme: String, host: String, port: Int) {
        let scheme = scheme.lowercased()
        guard scheme == "http" || scheme == "https", (1...65535).contains(port), Self.isValidHost(host) else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
        // Bytes: `String.contains(String)` goes through Foundation's string search.
        let hostPart = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        let isDefaultPort = (scheme == "http" && port == 80) || (scheme == "https" && port == 443)
        self.baseURL = isDefaultPort ? "\(scheme)://\(hostPart)" : "\(scheme)://\(hostPart):\(port)"
    }

    /// From a `Host` header value such as `example.com:8080` or `[::1]:8080`.
    public init?(scheme: String, hostHeader: String) {
        guard let authority = Authority(parsing: hostHeader.trimmingOptionalWhitespace()) else { return nil }
        self.init(scheme: scheme, host: authority.host, port: authority.port ?? (scheme.lowercased() == "https" ? 443 : 80))
    }

    /// `path` (as received, still percent-encoded) with `query`, as an absolute URL.
    public func url(_ path: String, query: String? = nil) -> String {
        guard let query, !query.isEmpty else { return baseURL + path }
        return baseURL + path + "?" + query
    }

    /// Registered names, IPv4 and (unbracketed) IPv6 literals.
    private static func isValidHost(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 255 else { return false }
        return host.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", ".", "-", "_", "~", ":": true
            default: false
            }
        }
    }
}
