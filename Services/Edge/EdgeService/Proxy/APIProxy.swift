import AppServerProtocol
import NIOHTTP1
import RPC
import ServiceKit
import Tracing

/// Forwards one `/api/` request to a worker within the upstream deadline and reports the time
/// spent waiting on workers. Retries are the RPC client's (the one layer that retries): the
/// request's HTTP method tells it whether a call that may have reached a worker can be repeated.
///
/// With a tracer, the forwarded request is the edge's server span: it continues the client's
/// trace (`traceparent`/`tracestate`) or starts one, and the call to the worker is its child.
/// With a head sampler too, only the requests whose trace is recorded reach the tracer: the
/// others go on with a `traceparent` made from the connection's random numbers.
struct APIProxy: Sendable {
    let upstream: any Upstream
    /// The whole budget for a request, retries included.
    let timeout: Duration
    let tracer: (any Tracer)?
    var headSampler: HeadSampler? = nil
    /// Requests let through to the workers at once (`--upstream-concurrency`); nil lets all through.
    var limiter: ConcurrencyLimiter? = nil

    /// Asks the app server for its `Server-Timing` entries (app, db).
    static let serverTimingKey = "server-timing"

    struct Outcome: Sendable {
        var result: Result<HTTPEnvelopeResponse, UpstreamFailure>
        var upstreamTime: Duration
        /// The trace context the request went on with (the edge's span, or the client's passed
        /// through), for the access line.
        var traceparent: String?

        /// An answer, or no answer in time, measures the workers' latency; a refusal or a
        /// failure to reach one does not.
        var saysHowLongWorkTakes: Bool {
            switch result {
            case .success: true
            case .failure(let failure): failure.status == .gatewayTimeout
            }
        }
    }

    /// The answer to a request the limiter refused.
    static let overloaded = Outcome(result: .failure(.overloaded), upstreamTime: .zero, traceparent: nil)

    /// - Parameters:
    ///   - random: the connection's generator, for the ids of a trace nobody records.
    ///   - permit: the limiter's, when the caller was admitted without waiting; without one
    ///     the request waits in the limiter's queue first.
    func forward(
        _ request: HTTPEnvelopeRequest, requestID: String, serverTiming: Bool = false, random: SplitMix64 = SplitMix64(),
        permit: ConcurrencyLimiter.Permit? = nil
    ) async -> Outcome {
        guard let limiter else {
            return await admitted(request, requestID: requestID, serverTiming: serverTiming, random: random)
        }
        var permit = permit
        if permit == nil { permit = await limiter.acquire() }
        guard let permit else { return Self.overloaded }
        let outcome = await admitted(request, requestID: requestID, serverTiming: serverTiming, random: random)
        limiter.release(permit, measured: outcome.saysHowLongWorkTakes)
        return outcome
    }

    private func admitted(
        _ request: HTTPEnvelopeRequest, requestID: String, serverTiming: Bool, random: SplitMix64
    ) async -> Outcome {
        var metadata = RPCMetadata()
        metadata.requestID = requestID
        if serverTiming { metadata[Self.serverTimingKey] = "1" }
        guard let tracer else {
            TraceHeaders.passThrough(request.headers, into: &metadata)
            return await send(request, metadata: metadata)
        }
        if let headSampler, TraceHeaders.continueUnrecorded(request.headers, sampler: headSampler, random: random, into: &metadata) {
            return await send(request, metadata: metadata)
        }
        var parent = ServiceContext.topLevel
        tracer.extract(request.headers, into: &parent, using: EnvelopeHeaderExtractor())
        let span = tracer.startSpan(request.method, context: parent, ofKind: .server)
        defer { span.end() }
        guard span.isRecording else {
            // Not sampled (by the client, or the sampler for a new trace): the trace and its
            // decision go on in the metadata, and nothing behind records a span for it.
            tracer.inject(span.context, into: &metadata, using: RPCMetadataInjector())
            return await send(request, metadata: metadata)
        }
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method
            attributes["url.path"] = String(request.target.prefix { $0 != "?" })
            attributes["url.scheme"] = request.scheme
            attributes["server.address"] = request.host
            attributes["server.port"] = request.port
            attributes["client.address"] = request.clientAddress
            attributes["http.request.header.x-request-id"] = [requestID]
        }
        // The client span the RPC client makes replaces it in the call; the access line names this one.
        tracer.inject(span.context, into: &metadata, using: RPCMetadataInjector())
        let outcome = await ServiceContext.$current.withValue(span.context) { await send(request, metadata: metadata) }
        switch outcome.result {
        case .success(let response):
            span.attributes["http.response.status_code"] = response.status
            if response.status >= 500 { span.setStatus(SpanStatus(code: .error)) }
        case .failure(let failure):
            span.attributes["http.response.status_code"] = Int(failure.status.code)
            span.attributes["error.type"] = failure.body.code
            span.setStatus(SpanStatus(code: .error))
        }
        return outcome
    }

    private func send(_ request: HTTPEnvelopeRequest, metadata: RPCMetadata) async -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let response = try await upstream.send(
                request, options: RPCCallOptions(timeout: timeout, metadata: metadata, isIdempotent: request.isIdempotent))
            return Outcome(result: .success(response), upstreamTime: clock.now - start, traceparent: metadata.traceparent)
        } catch {
            return Outcome(result: .failure(UpstreamFailure(error)), upstreamTime: clock.now - start, traceparent: metadata.traceparent)
        }
    }
}
