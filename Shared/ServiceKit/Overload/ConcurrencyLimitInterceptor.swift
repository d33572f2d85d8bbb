public import RPC

/// Puts an RPC server's calls under a ``ConcurrencyLimiter``: a call past the limit and the
/// queue is answered `unavailable` without running its handler, which a client may retry on
/// another instance (and the worker answers 503 with `Retry-After`). The kit's own methods
/// (`rpc.health`, reflection) are never limited, so probes see a busy server as alive.
public struct ConcurrencyLimitInterceptor: RPCServerInterceptor {
    public let limiter: ConcurrencyLimiter

    public init(limiter: ConcurrencyLimiter) {
        self.limiter = limiter
    }

    public func intercept(
        _ context: RPCCallContext, next: (RPCCallContext) async throws -> RPCEncodedResponse
    ) async throws -> RPCEncodedResponse {
        if context.method.hasPrefix("rpc.") { return try await next(context) }
        guard let permit = await limiter.acquire() else {
            throw RPCError(.unavailable, "overloaded: too many calls in progress; retry shortly", wasProcessed: false)
        }
        do {
            let response = try await next(context)
            limiter.release(permit, measured: true)
            return response
        } catch {
            limiter.release(permit, measured: Self.isMeasured(error))
            throw error
        }
    }

    /// A call refused or abandoned before it did its work says nothing about how long the work takes.
    package static func isMeasured(_ error: any Error) -> Bool {
        guard let error = error as? RPCError else { return !(error is CancellationError) }
        switch error.code {
        case .unavailable, .resourceExhausted, .cancelled: return false
        default: return true
        }
    }
}
