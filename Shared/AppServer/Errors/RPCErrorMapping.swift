public import Logging
public import RPC

extension APIError {
    /// What the client sees when a backing service called over RPC refused or failed a call.
    ///
    /// A service's messages for client errors name the offending field (`text: must be 1–255
    /// characters long`), so they pass through. Server-side trouble is reported in general
    /// words; its detail goes to the log only. A `resourceExhausted` the service sent itself is
    /// this client's own limit (429); one the RPC layer sent before running the call is the
    /// whole app server's load (503). A write whose connection broke mid-call is a 502: telling
    /// the client to retry it could make it happen twice.
    public static func from(_ error: RPCError, isIdempotent: Bool, logger: Logger) -> APIError {
        switch error.code {
        case .unavailable where error.connectionLost && !isIdempotent:
            logger.warning("backing service connection lost during a write", metadata: ["error": "\(error)"])
            return .badGateway("A backing service failed while handling the request; it may have been applied.")
        case .invalidArgument:
            return .badRequest(error.message)
        case .notFound:
            return .notFound(error.message)
        case .alreadyExists:
            return .conflict(error.message)
        case .permissionDenied:
            return .forbidden(error.message)
        case .resourceExhausted where error.wasProcessed:
            // The service's own refusal (e.g. too many expensive calls running for this
            // user); its message names the limit.
            return .tooManyRequests(error.message)
        case .unavailable, .resourceExhausted:
            logger.warning("backing service unavailable", metadata: ["error": "\(error)"])
            return .unavailable("The service is temporarily unavailable; try again shortly.")
        case .deadlineExceeded, .cancelled:
            logger.warning("backing service call did not finish in time", metadata: ["error": "\(error)"])
            return .timeout("The request took too long to complete.")
        case .ok, .unauthenticated, .failedPrecondition, .unimplemented, .internal:
            logger.error("backing service call failed", metadata: ["error": "\(error)"])
            return .internal
        }
    }
}
