import RPC

/// The authority the client used, split into host and port so the worker can build absolute
/// links (`Host: example.com:8443` → `example.com`, 8443; `[::1]:8080` → `::1`, 8080).
struct HostHeader: Sendable, Equatable {
    var host: String
    var port: Int?

    init?(_ value: some StringProtocol) {
        let text = value.trimmingOptionalWhitespace()
        // A path, user info or inner space means this is not a plain authority.
        guard !text.contains(where: { $0 == " " || $0 == "/" || $0 == "@" }), let authority = Authority(parsing: text) else {
            return nil
        }
        host = authority.host
        port = authority.port
    }

    static func defaultPort(forScheme scheme: String) -> Int {
        scheme == "https" ? 443 : 80
    }
}
