import Metrics
import ServiceKit

/// `--rate-limit` per client address (nginx's `limit_req`), with what an operator needs to see
/// it work: `http_rate_limited_total` and `http_rate_limit_tracked_clients` against
/// `--rate-limit-tracked-clients`, beyond which newcomers share one bucket.
struct ClientRateLimiter: Sendable {
    private let buckets: KeyedTokenBuckets
    private let limited = Counter(label: "http_rate_limited_total")
    private let tracked = Gauge(label: "http_rate_limit_tracked_clients")

    init(ratePerSecond: Int, burst: Int, trackedClients: Int) {
        buckets = KeyedTokenBuckets(ratePerSecond: Double(ratePerSecond), burst: Double(max(1, burst)), maximumKeys: trackedClients)
    }

    func take(_ clientAddress: String) -> TokenBucket.Decision {
        let decision = buckets.take(clientAddress)
        tracked.record(buckets.trackedKeys)
        if decision != .allowed { limited.increment() }
        return decision
    }
}
