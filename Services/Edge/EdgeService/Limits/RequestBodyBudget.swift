import Metrics
import NIOHTTP1
import Synchronization

/// The bytes of `/api/` request bodies all connections together may hold in memory
/// (`--request-body-budget`). Each connection buffers a body whole before forwarding it, so
/// without a global bound many slow uploads add up to their count times `--max-body-size`.
///
/// An atomic counter rather than a lock: every body chunk of every event loop passes here.
final class RequestBodyBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)
    /// What `used` holds, for `/metrics`. Moved by the same amounts, so it agrees with `used`
    /// whenever nothing is in progress; a Prometheus gauge adds atomically too.
    private let buffered = Meter(label: "http_request_body_bytes_buffered")
    /// Requests answered 503 for want of budget.
    private let refusals = Counter(label: "http_request_body_budget_refusals_total")

    init(limit: Int) {
        self.limit = limit
    }

    var inUse: Int { used.load(ordering: .relaxed) }

    /// Whether `bytes` more would fit now, without taking them: the check at a request's head,
    /// so one that announces a body that cannot fit is refused before any of it is sent.
    func hasRoom(for bytes: Int) -> Bool {
        bytes <= limit - used.load(ordering: .relaxed)
    }

    /// Takes `bytes` from the budget; false (and nothing taken) when they would pass it.
    func reserve(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            guard bytes <= limit - current else { return false }
            let (exchanged, original) = used.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
        buffered.increment(by: Double(bytes))
        return true
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.subtract(bytes, ordering: .relaxed)
        buffered.decrement(by: Double(bytes))
    }

    func countRefusal() {
        refusals.increment()
    }

    /// The answer to a request the budget cannot take: the server is busy, not the request
    /// wrong, so a retry shortly is likely to succeed.
    static let refusal = CannedResponse.error(
        .serviceUnavailable, "busy", "The server is receiving too many request bodies at once; try again shortly.",
        headers: [("Retry-After", "1")])
}
