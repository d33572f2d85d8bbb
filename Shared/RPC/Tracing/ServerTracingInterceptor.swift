import NIOCore
import Tracing

/// Records each call served as a server span, continuing the caller's trace when its metadata
/// carries one. The handler runs with the span as the current context, so its logs, its own
/// calls and their spans belong to the trace.
///
/// A call in a trace its caller does not record (sampled flag off) is served without a span:
/// making one and binding its context cost ~20 % of the stack's throughput at 1 % sampling,
/// measured with Benchmarks/load/tracing-cost.sh. Its `traceparent` goes on in the metadata
/// (``CallPropagationInterceptor``, or the app's own copy), so the services behind still see
/// the trace and its decision.
///
/// A call that arrives without a trace starts one. With a head sampler the decision comes
/// first, as at the edge: a trace it leaves out gets a `traceparent` of its own and no span, so
/// a service called by an untraced caller does not pay for a span per call either.
///
/// ``RPCServer`` runs it first, when it is given a tracer: ``needsSpan(_:)``, then
/// ``traced(_:next:)`` for a recorded call.
struct ServerTracingInterceptor {
    let tracer: any Tracer
    var headSampler: HeadSampler? = nil

    /// Whether the call is recorded: false for a call in a trace its caller does not record, and
    /// for a new trace the head sampler leaves out, which gets its unsampled `traceparent` here.
    /// Synchronous, so ``RPCCallDispatcher`` decides before entering ``traced(_:next:)``: a call
    /// without a span pays for no async frame of it.
    func needsSpan(_ context: inout RPCCallContext) -> Bool {
        if let traceparent = context.metadata.traceparent { return TraceParentPeek.isSampled(traceparent) }
        guard let unrecorded = headSampler?.unrecordedTrace() else { return true }
        context.metadata.traceparent = unrecorded
        return false
    }

    /// Serves the call as a server span; ``needsSpan(_:)`` said it is recorded.
    func traced(
        _ context: RPCCallContext, next: (RPCCallContext) async throws -> RPCEncodedResponse
    ) async throws -> RPCEncodedResponse {
        var parent = ServiceContext.topLevel
        tracer.extract(context.metadata, into: &parent, using: RPCMetadataExtractor())
        let span = tracer.startSpan(RPCSpanNaming.spanName(wireName: context.method), context: parent, ofKind: .server)
        defer { span.end() }
        if span.isRecording {
            span.updateAttributes { attributes in
                RPCSpanNaming.setCallAttributes(&attributes, wireName: context.method)
                if let address = context.remoteAddress?.ipAddress { attributes["client.address"] = address }
            }
        }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await next(context) }
        } catch {
            if span.isRecording {
                let status = RPCCallDispatcher.rpcError(for: error, context: context).code
                span.attributes["rpc.response.status_code"] = "\(status)"
                span.setStatus(SpanStatus(code: .error, message: "\(status)"))
            }
            throw error
        }
    }
}
