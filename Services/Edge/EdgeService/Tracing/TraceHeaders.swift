import AppServerProtocol
import RPC
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
}
