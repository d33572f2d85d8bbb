import RPC

/// Which clients see `Server-Timing` (`edge`, `upstream`, and the app server's `app`, `db`):
/// timings tell an outsider how the work behind an answer is split, so by default only clients
/// the edge trusts (`--trusted-proxies`: a load balancer, the operator's network) get them.
public enum ServerTimingPolicy: String, CaseIterable, Sendable {
    case off
    case trusted
    case all

    func exposes(toTrusted trusted: Bool) -> Bool {
        switch self {
        case .off: false
        case .trusted: trusted
        case .all: true
        }
    }
}

enum ServerTiming {
    static let headerName = "Server-Timing"

    /// `edge;dur=0.120, upstream;dur=2.500` then the app server's entries, in milliseconds.
    static func header(total: Duration, upstream: Duration, appEntries: String?) -> String {
        var value =
            "edge;dur=\(DurationText.decimalMilliseconds(total - upstream)), upstream;dur=\(DurationText.decimalMilliseconds(upstream))"
        if let appEntries, !appEntries.isEmpty { value += ", " + appEntries }
        return value
    }

}
