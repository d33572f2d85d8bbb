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
        if let requestID = context.metadata.requestID { context.logger[metadataKey: "request-id"] = "\(requestID)" }
        if let traceparent = context.metadata.traceparent { TraceLogMetadata.add(traceparent: traceparent, to: &context.logger) }
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
