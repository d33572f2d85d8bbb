import RPC

/// Whether a failed forward may be sent once more to another worker. The RPC client already
/// retries calls that provably never reached a handler; this adds the HTTP rule it cannot
/// know: a request whose HTTP method is idempotent may be repeated even if a worker may have
/// started it (its connection died mid-call), because running it twice is harmless.
enum UpstreamRetryPolicy {
    static let idempotentMethods: Set<String> = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]

    static func shouldRetry(after error: RPCError, method: String, attempt: Int) -> Bool {
        guard attempt == 1 else { return false }
        switch error.code {
        case .unavailable, .resourceExhausted:
            return !error.wasProcessed || idempotentMethods.contains(method)
        default:
            // A deadline has no time left to retry in; other codes are answers, not failures
            // to reach a worker.
            return false
        }
    }
}
