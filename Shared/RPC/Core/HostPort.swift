/// A network address as written in configuration and RPC targets: `host:port`, or
/// `[v6-address]:port`.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Returns nil unless the text is an ``Authority`` with a port.
    public init?(parsing text: some StringProtocol) {
        guard let authority = Authority(parsing: text), let port = authority.port else { return nil }
        self.init(host: authority.host, port: port)
    }

    public var description: String {
        host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A host with an optional port, as in a URL's authority or a `Host` header: `name`,
/// `name:port`, `[v6-address]` or `[v6-address]:port`. The one parser for every place that
/// reads such text (configuration, RPC targets, `Host` headers), so they cannot drift apart.
public struct Authority: Sendable, Hashable {
    public var host: String
    public var port: Int?

    public init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    /// Returns nil unless the host is non-empty with no whitespace and the port, when
    /// present, is 1-65535 in plain digits. IPv6 literals must be bracketed: their colons
    /// would otherwise make the port ambiguous.
    public init?(parsing text: some StringProtocol) {
        let text = Substring(text)
        let host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { return nil }
        if let portText {
            guard (1...5).contains(portText.utf8.count),
                portText.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                let port = Int(portText), (1...65535).contains(port)
            else { return nil }
            self.port = port
        } else {
            self.port = nil
        }
        self.host = String(host)
    }
}
