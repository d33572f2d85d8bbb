import Logging
import NIOCore

/// Puts the caller's request id on every log line of the call (and the trace and span ids of
/// its `traceparent`, which a span of the call, when one is recorded, replaces with its own),
/// and at debug level logs each call with its status and duration.
struct ServerLoggingInterceptor: RPCServerInterceptor {
    func intercept(
        _ context: RPCCallContext, next: (RPCCallContext) async throws -> RPCEncodedResponse
    ) async throws -> RPCEncodedResponse {
        var context = context
        let requestID = context.metadata.requestID
        let traceparent = context.metadata.traceparent
        if requestID != nil || traceparent != nil {
            // One copy of the handler's metadata, sized for the three keys, instead of a copy
            // and then a resize as each key goes in (on every call, logged or not).
            var metadata = context.logger.handler.metadata
            metadata.reserveCapacity(metadata.count + 3)
            if let requestID { metadata["request-id"] = "\(requestID)" }
            if let traceparent { TraceLogMetadata.add(traceparent: traceparent, to: &metadata) }
            context.logger.handler.metadata = metadata
        }
        guard context.logger.logLevel <= .debug else { return try await next(context) }
        let start = NIODeadline.now()
        var status = RPCStatusCode.ok
        defer {
            context.logger.debug(
                "rpc call",
                metadata: [
                    "method": "\(context.method)", "status": "\(status)", "micros": "\((NIODeadline.now() - start).nanoseconds / 1000)",
                ])
        }
        do {
            return try await next(context)
        } catch {
            status = RPCCallDispatcher.rpcError(for: error, context: context).code
            throw error
        }
    }
}
