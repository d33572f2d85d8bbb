/// Where spans go and how many traces are kept. Tracing is off unless an OTLP endpoint is
/// configured; the standard `OTEL_*` variables (sampler, batch processor, resource, headers)
/// are honoured on top of these by swift-otel.
public struct TracingSettings: Sendable, Equatable {
    /// The OTLP/HTTP base address, e.g. `http://otel-collector:4318`; spans are posted to its
    /// `/v1/traces`. Nil: no tracer, no spans, no cost.
    public var endpoint: String?
    /// Share of new traces recorded (0–1); a trace begun upstream keeps its caller's decision.
    public var sampleRatio: Double

    public init(endpoint: String? = nil, sampleRatio: Double = 1) {
        self.endpoint = endpoint
        self.sampleRatio = sampleRatio
    }

    /// The address spans are posted to.
    public var tracesURL: String? {
        endpoint.map { $0.hasSuffix("/") ? "\($0)v1/traces" : "\($0)/v1/traces" }
    }

    static func read(from reader: inout ConfigReader) -> TracingSettings {
        let endpoint = reader.read(
            .string(
                "otlp-endpoint", env: "OTEL_EXPORTER_OTLP_ENDPOINT", default: "", placeholder: "<url>",
                help: "OpenTelemetry collector (OTLP/HTTP) that receives this service's spans; empty: tracing off."))
        let ratio = reader.read(
            Setting<Double>(
                "trace-sample-ratio", env: "OTEL_TRACES_SAMPLER_ARG", default: 1,
                help: "Share of new traces recorded, 0-1; a trace begun upstream follows its caller's decision.",
                placeholder: "<ratio>", expected: "a number from 0 to 1"
            ) { text in Double(text).flatMap { (0...1).contains($0) ? $0 : nil } })
        return TracingSettings(endpoint: endpoint.isEmpty ? nil : endpoint, sampleRatio: ratio)
    }
}
