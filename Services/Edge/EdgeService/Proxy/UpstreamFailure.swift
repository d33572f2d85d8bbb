import AppServerProtocol
import NIOHTTP1
import RPC

/// How a failure to get an answer from a worker is shown to the client, nginx's way:
/// nobody to ask is 503 (retry later), no answer in time is 504, anything else is 502.
struct UpstreamFailure: Error, Sendable, Equatable {
    var status: HTTPResponseStatus
    var body: ErrorBody
    /// Seconds for `Retry-After`, when waiting is what the client should do.
    var retryAfter: Int?

    init(_ error: any Error) {
        guard let error = error as? RPCError else {
            self.init(.badGateway, "bad_gateway", "The upstream service failed to answer.")
            return
        }
        switch error.code {
        case .deadlineExceeded:
            self.init(.gatewayTimeout, "gateway_timeout", "The upstream service did not answer in time.")
        case .unavailable where !error.wasProcessed, .resourceExhausted where !error.wasProcessed:
            self.init(
                .serviceUnavailable, "service_unavailable", "No upstream service is available; try again shortly.",
                retryAfter: 1)
        default:
            self.init(.badGateway, "bad_gateway", "The upstream service failed to answer.")
        }
    }

    /// Past the edge's concurrency limit and its queue: refused before any worker is asked.
    static let overloaded = UpstreamFailure(
        .serviceUnavailable, "busy", "The server is at capacity; try again shortly.", retryAfter: 1)

    init(_ status: HTTPResponseStatus, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.body = ErrorBody(code: code, message: message)
        self.retryAfter = retryAfter
    }
}
