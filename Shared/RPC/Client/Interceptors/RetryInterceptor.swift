import Logging
import Metrics

/// The one place calls are retried: on another server when one is available, only when that
/// is safe (the request never reached a handler, or it did and the call is idempotent and the
/// server is unavailable), within `maximumAttempts` and the retry budget, before the deadline.
struct RetryInterceptor: RPCClientInterceptor {
    let maximumAttempts: Int
    let budget: RetryBudget
    let logger: Logger
    private let retries = Counter(label: "rpc_client_retries_total")
    private let budgetExhausted = Counter(label: "rpc_client_retry_budget_exhausted_total")

    init(maximumAttempts: Int, budgetRatio: Double, logger: Logger) {
        self.maximumAttempts = maximumAttempts
        self.budget = RetryBudget(ratio: budgetRatio)
        self.logger = logger
    }

    func intercept(
        _ request: RPCClientRequest, next: (RPCClientRequest) async throws -> RPCClientResponse
    ) async throws -> RPCClientResponse {
        budget.recordCall()
        var request = request
        while true {
            do {
                return try await next(request)
            } catch let error as RPCError {
                guard request.attempt < maximumAttempts, Self.isSafeToRetry(error, isIdempotent: request.isIdempotent),
                    ContinuousClock.now < request.deadline
                else { throw error }
                guard budget.tryWithdraw() else {
                    budgetExhausted.increment()
                    throw error
                }
                request.attempt += 1
                retries.increment()
                logger.debug(
                    "retrying RPC call", metadata: ["method": "\(request.method)", "attempt": "\(request.attempt)", "error": "\(error)"])
            }
        }
    }

    static func isSafeToRetry(_ error: RPCError, isIdempotent: Bool) -> Bool {
        switch error.code {
        case .cancelled, .deadlineExceeded:
            return false
        case .unavailable, .resourceExhausted:
            return !error.wasProcessed || (isIdempotent && error.code == .unavailable)
        case .unimplemented:
            // Refused unrun by an instance that lacks the method (a mixed fleet): another may have it.
            return !error.wasProcessed
        default:
            return false
        }
    }
}
