/// A network address as written in configuration: `host:port`, or `[v6-address]:port`.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Returns nil unless the text is a non-empty host and a port 1-65535. IPv6 literals
    /// must be bracketed because their colons would otherwise make the port ambiguous.
    public init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            guard !host.contains(":" as Character) else { return nil }
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace),
            portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = Int(portText), (1...65535).contains(port)
        else { return nil }
        self.init(host: String(host), port: port)
    }

    public var description: String {
        host.contains(":" as Character) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
