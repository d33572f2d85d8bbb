/// Where a client finds its servers:
/// - `host:port[,host:port…]` — a fixed list (names resolved like DNS targets);
/// - `dns://name:port` — every address the name resolves to, re-resolved periodically so
///   instances that appear or disappear (compose `--scale`, Kubernetes headless services)
///   are picked up without a restart;
/// - `unix:/path[,unix:/path…]` — Unix domain sockets, e.g. one per worker on the same machine.
public enum RPCTarget: Sendable, Hashable, CustomStringConvertible {
    case hosts([HostPort])
    case dns(HostPort)
    case unix(paths: [String])

    /// One Unix domain socket.
    public static func unix(path: String) -> RPCTarget { .unix(paths: [path]) }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String) throws(ParseError) {
        if text.hasPrefix("unix:") {
            // Socket paths may contain anything but NUL; a comma followed by `unix:` starts the next one.
            let paths = text.dropFirst("unix:".count).split(separator: ",unix:", omittingEmptySubsequences: false).map(String.init)
            guard paths.allSatisfy({ !$0.isEmpty }) else { throw ParseError(description: "target \"\(text)\": unix: needs a socket path") }
            self = .unix(paths: paths)
        } else if text.hasPrefix("dns://") {
            self = .dns(try Self.parseHostAndPort(String(text.dropFirst("dns://".count)), in: text))
        } else {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            self = .hosts(
                try parts.map { part throws(ParseError) in
                    try Self.parseHostAndPort(String(part.trimmingWhitespace()), in: text)
                })
        }
    }

    public var description: String {
        switch self {
        case .hosts(let list): list.map(\.description).joined(separator: ",")
        case .dns(let hostAndPort): "dns://\(hostAndPort)"
        case .unix(let paths): paths.map { "unix:\($0)" }.joined(separator: ",")
        }
    }

    private static func parseHostAndPort(_ text: String, in target: String) throws(ParseError) -> HostPort {
        guard let authority = Authority(parsing: text) else {
            throw ParseError(description: "target \"\(target)\": \"\(text)\" is not host:port or [ipv6]:port with a port 1-65535")
        }
        guard let port = authority.port else { throw ParseError(description: "target \"\(target)\": \"\(text)\" has no :port") }
        return HostPort(host: authority.host, port: port)
    }
}
