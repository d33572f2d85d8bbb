/// The authority the client used, split into host and port so the worker can build absolute
/// links (`Host: example.com:8443` → `example.com`, 8443; `[::1]:8080` → `::1`, 8080).
struct HostHeader: Sendable, Equatable {
    var host: String
    var port: Int?

    init?(_ value: some StringProtocol) {
        let text = value.trimmingSpaces
        guard !text.isEmpty, !text.contains(where: { $0 == " " || $0 == "/" || $0 == "@" }) else { return nil }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                port = nil
            } else {
                guard rest.hasPrefix(":"), let parsed = Int(rest.dropFirst()), (1...65535).contains(parsed) else { return nil }
                port = parsed
            }
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            host = String(text)
            port = nil
        case 2:
            guard let parsed = Int(parts[1]), (1...65535).contains(parsed), !parts[0].isEmpty else { return nil }
            host = String(parts[0])
            port = parsed
        default:
            return nil
        }
    }

    static func defaultPort(forScheme scheme: String) -> Int {
        scheme == "https" ? 443 : 80
    }
}
