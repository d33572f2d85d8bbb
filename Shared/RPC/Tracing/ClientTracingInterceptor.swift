import Tracing

/// Records each call as a client span, a child of the caller's current span, and sends its
/// context in the call's metadata so the server's span continues the trace. One span covers
/// the call's attempts.
///
/// ``RPCClient`` runs it after propagation (so its context replaces a `traceparent` merely copied
/// from the call being served) when it is given a tracer.
///
/// A call made outside any trace starts one; with a head sampler, one it leaves out gets a
/// `traceparent` of its own and no span (see ``HeadSampler``).
struct ClientTracingInterceptor {
    let tracer: any Tracer
    /// What the client reaches, e.g. `dns://data:7102`: `server.address`.
    let target: String
    var headSampler: HeadSampler? = nil

    /// The context the call's span is a child of, or nil when the call makes no span: it
    /// continues a trace nobody here records (see ``ServerTracingInterceptor``), or it starts one
    /// the head sampler leaves out, which gets its unsampled `traceparent` here. Synchronous, so
    /// ``RPCClient`` decides before entering ``traced(_:parent:next:)``: a call without a span
    /// pays for no async frame of it.
    func spanParent(for request: inout RPCClientRequest) -> ServiceContext? {
        if let current = ServiceContext.current { return current }
        if request.metadata.traceparent != nil { return nil }
        guard let unrecorded = headSampler?.unrecordedTrace() else { return .topLevel }
        request.metadata.traceparent = unrecorded
        return nil
    }

    /// Makes the call as a client span, a child of `parent`.
    func traced(
        _ request: RPCClientRequest, parent: ServiceContext, next: (RPCClientRequest) async throws -> RPCClientResponse
    ) async throws -> RPCClientResponse {
        let span = tracer.startSpan(RPCSpanNaming.spanName(wireName: request.method), context: parent, ofKind: .client)
        defer { span.end() }
        if span.isRecording {
            span.updateAttributes { attributes in
                RPCSpanNaming.setCallAttributes(&attributes, wireName: request.method)
                attributes["server.address"] = target
            }
        }
        var request = request
        tracer.inject(span.context, into: &request.metadata, using: RPCMetadataInjector())
        do {
            return try await next(request)
        } catch {
            if span.isRecording {
                let status = (error as? RPCError)?.code ?? RPCStatusCode.internal
                span.attributes["rpc.response.status_code"] = "\(status)"
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: "\(status)"))
            }
            throw error
        }
    }
}
