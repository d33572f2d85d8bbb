/// One finished request, as the access log records it.
struct AccessLogEntry: Sendable, Equatable {
    var client: String
    var method: String
    var target: String
    var version: String
    var status: Int
    /// Body bytes sent (nginx's `$body_bytes_sent`).
    var bytes: Int
    var duration: Duration
    /// Time spent waiting on workers; nil when no worker was asked.
    var upstreamTime: Duration?
    var requestID: String
    var userAgent: String?
    var referer: String?
    /// The trace the request went on in (`/api/` requests in a trace): its line carries the ids.
    var traceparent: String? = nil
}

public enum AccessLogFormat: String, CaseIterable, Sendable {
    /// nginx-like: `client "METHOD target HTTP/1.1" status bytes "referer" "agent" rt=… urt=…`.
    case text
    /// Every field as log metadata, which `--log-format json` writes as one JSON object.
    case json
}

extension AccessLogEntry {
    /// The nginx-like message; quotes and backslashes inside quoted fields are escaped so a
    /// hostile user agent cannot fake fields (the line writer escapes control characters).
    var textLine: String {
        var line = client
        line += " \""
        line += Self.escaped("\(method) \(target) \(version)")
        line += "\" \(status) \(bytes) \""
        line += Self.escaped(referer ?? "-")
        line += "\" \""
        line += Self.escaped(userAgent ?? "-")
        line += "\" rt=\(Self.seconds(duration)) urt=\(upstreamTime.map(Self.seconds) ?? "-")"
        return line
    }

    /// Seconds with millisecond resolution, nginx's `$request_time` format.
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = max(0, duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    private static func escaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "\"" || $0 == "\\" }) else { return text }
        var result = ""
        for character in text {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
