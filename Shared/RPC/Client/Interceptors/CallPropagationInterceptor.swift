import NIOCore

/// A call made on behalf of a call being served (``RPCCallOptions/onBehalfOf``) carries it on:
/// never a later deadline than the caller's (the work would outlive anyone waiting for it),
/// and its request id and trace context when the call sets none.
public struct CallPropagationInterceptor: RPCClientInterceptor {
    public init() {}

    public func intercept(
        _ request: RPCClientRequest, next: (RPCClientRequest) async throws -> RPCClientResponse
    ) async throws -> RPCClientResponse {
        guard let inbound = request.onBehalfOf else { return try await next(request) }
        var request = request
        if let deadline = inbound.deadline {
            let remaining = deadline - .now()
            guard remaining > .zero else {
                throw RPCError(.deadlineExceeded, "the call being served has no time left for \(request.method)", wasProcessed: false)
            }
            request.deadline = min(request.deadline, .now + .nanoseconds(remaining.nanoseconds))
        }
        if request.metadata.requestID == nil, let requestID = inbound.metadata.requestID { request.metadata.requestID = requestID }
        if request.metadata.traceparent == nil, let traceparent = inbound.metadata.traceparent {
            request.metadata.traceparent = traceparent
            if let tracestate = inbound.metadata[RPCMetadata.tracestateKey] { request.metadata[RPCMetadata.tracestateKey] = tracestate }
        }
        return try await next(request)
    }
}
