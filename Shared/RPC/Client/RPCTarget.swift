/// Where a client finds its servers:
/// - `host:port[,host:port…]` — a fixed list (names resolved like DNS targets);
/// - `dns://name:port` — every address the name resolves to, re-resolved periodically so
///   instances that appear or disappear (compose `--scale`, Kubernetes headless services)
///   are picked up without a restart;
/// - `unix:/path[,unix:/path…]` — Unix domain sockets, e.g. one per worker on the same machine.
public enum RPCTarget: Sendable, Hashable, CustomStringConvertible {
    case hosts([HostAndPort])
    case dns(HostAndPort)
    case unix(paths: [String])

    /// One Unix domain socket.
    public static func unix(path: String) -> RPCTarget { .unix(paths: [path]) }

    public struct HostAndPort: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":" as Character) ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

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
            self = .hosts(try parts.map { part throws(ParseError) in
                try Self.parseHostAndPort(part.trimmingWhitespace(), in: text)
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

    private static func parseHostAndPort(_ text: String, in target: String) throws(ParseError) -> HostAndPort {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ParseError(description: "target \"\(target)\": \"\(text)\" is not [ipv6]:port")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ParseError(description: "target \"\(target)\": \"\(text)\" has no :port")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw ParseError(description: "target \"\(target)\": empty host in \"\(text)\"") }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw ParseError(description: "target \"\(target)\": \"\(portText)\" is not a port number 1-65535")
        }
        return HostAndPort(host: String(host), port: port)
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
