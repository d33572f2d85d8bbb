import AppServerProtocol
import RPC
import ServiceKit
import Tracing
import W3CTraceContext

/// Reads a client's W3C trace context from the headers of the request the edge forwards.
struct EnvelopeHeaderExtractor: Extractor {
    func extract(key: String, from carrier: [HTTPHeaderField]) -> String? {
        carrier.first { $0.name.utf8.count == key.utf8.count && $0.name.lowercased() == key }?.value
    }
}

enum TraceHeaders {
    /// With tracing off the edge starts no trace, but a client's valid one still reaches the
    /// services (as nginx passes `traceparent` through), so their logs and any tracing behind
    /// them stay in it. An invalid one is dropped, as a tracer would.
    static func passThrough(_ headers: [HTTPHeaderField], into metadata: inout RPCMetadata) {
        let extractor = EnvelopeHeaderExtractor()
        guard let traceparent = extractor.extract(key: RPCMetadata.traceparentKey, from: headers),
            let context = try? TraceContext(
                traceParentHeaderValue: traceparent,
                traceStateHeaderValue: extractor.extract(key: RPCMetadata.tracestateKey, from: headers))
        else { return }
        metadata.traceparent = context.traceParentHeaderValue
        if let tracestate = context.traceStateHeaderValue { metadata[RPCMetadata.tracestateKey] = tracestate }
    }

    /// With a head sampler: gives a request whose trace is not recorded its context without
    /// the tracer (a client's unsampled trace continued with a span id of the edge's, or a new
    /// trace the sampler leaves out) and returns true; false for a request the tracer records
    /// (a client's sampled trace, or a new one the sampler picks), whose metadata is untouched.
    /// An invalid client header is dropped, as a tracer would, and the request starts a trace.
    static func continueUnrecorded(
        _ headers: [HTTPHeaderField], sampler: HeadSampler, random: SplitMix64, into metadata: inout RPCMetadata
    ) -> Bool {
        var random = random
        let extractor = EnvelopeHeaderExtractor()
        if let traceparent = extractor.extract(key: RPCMetadata.traceparentKey, from: headers),
            let client = try? TraceContext(
                traceParentHeaderValue: traceparent,
                traceStateHeaderValue: extractor.extract(key: RPCMetadata.tracestateKey, from: headers))
        {
            guard !client.flags.contains(.sampled),
                let continued = TraceParentText.continuing(traceparent, spanID: random.next())
            else { return false }
            metadata.traceparent = continued
            if let tracestate = client.traceStateHeaderValue { metadata[RPCMetadata.tracestateKey] = tracestate }
            return true
        }
        guard let unrecorded = sampler.unrecordedTrace(random: &random) else { return false }
        metadata.traceparent = unrecorded
        return true
    }
}
