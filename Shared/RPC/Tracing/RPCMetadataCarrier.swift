public import Tracing

/// Lets a tracer write its context (W3C `traceparent`, `tracestate`) into a call's metadata.
public struct RPCMetadataInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout RPCMetadata) {
        carrier[key] = value
    }
}

/// Lets a tracer read the caller's context from a call's metadata.
public struct RPCMetadataExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: RPCMetadata) -> String? {
        carrier[key]
    }
}
