public import Logging
public import RPC
public import ServiceLifecycle
public import Tracing

#if OTLPExport
    import OTel
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Process-wide tracing setup: swift-otel's tracer (W3C trace context, parent-based ratio
/// sampling, a batch span processor, OTLP/HTTP export) as the process's `InstrumentationSystem`.
public enum ServiceTracing {
    static let samplerVariable = "OTEL_TRACES_SAMPLER"
    static let samplerArgumentVariable = "OTEL_TRACES_SAMPLER_ARG"

    /// The tracer, and the service that exports its spans (run it for as long as spans are made:
    /// it flushes what is queued when it stops); nil when no endpoint is configured.
    ///
    /// The service decides which traces it starts are recorded before making any span: the
    /// sampler variables are read into the returned head sampler (``HeadSampler``, for the edge,
    /// the RPC server and clients) and taken out of the process's environment, and the tracer
    /// records every trace it is given — swift-otel reads `OTEL_TRACES_SAMPLER`/`_ARG` over any
    /// configuration, and would sample the traces the head sampler chose a second time. For a
    /// sampler ``HeadSampler`` does not know, the head sampler is nil and the tracer samples as
    /// configured.
    public static func bootstrap(
        service: String, settings: TracingSettings, environment: [String: String] = [:], logger: Logger
    ) throws -> (tracer: any Tracer, exporter: any Service, headSampler: HeadSampler?)? {
        guard let tracesURL = settings.tracesURL else { return nil }
        #if OTLPExport
            var configuration = OTel.Configuration.default
            configuration.serviceName = service
            configuration.diagnosticLogger = .custom(logger)
            // Not its notes on each OTEL_* variable it reads: failures to export are what matters.
            configuration.diagnosticLogLevel = .warning
            configuration.logs.enabled = false
            configuration.metrics.enabled = false
            configuration.traces.exporter = .otlp
            configuration.traces.otlpExporter.endpoint = tracesURL
            var headSampler: HeadSampler?
            if let sampler = HeadSampler(sampler: environment[samplerVariable], ratio: settings.sampleRatio) {
                headSampler = sampler
                configuration.traces.sampler = .parentBasedAlwaysOn
                unsetenv(samplerVariable)
                unsetenv(samplerArgumentVariable)
            } else if let sampler = OTel.Configuration.TracesConfiguration.SamplerConfiguration.parentBasedTraceIDRatio(
                ratio: settings.sampleRatio)
            {
                configuration.traces.sampler = sampler
            }
            let backend = try OTel.makeTracingBackend(configuration: configuration)
            InstrumentationSystem.bootstrap(backend.factory)
            return (backend.factory, backend.service, headSampler)
        #else
            throw TracingUnavailable(endpoint: tracesURL)
        #endif
    }

    /// Adds the current span's `trace_id` and `span_id` to every log line written while it is
    /// current (swift-otel's names for them).
    public static var logMetadataProvider: Logger.MetadataProvider? {
        #if OTLPExport
            OTel.makeLoggingMetadataProvider()
        #else
            nil
        #endif
    }
}

/// A build without the `OTLPExport` trait (the sanitizer and fuzzing builds) was given an endpoint.
struct TracingUnavailable: Error, CustomStringConvertible {
    var endpoint: String

    var description: String { "this build has no OTLP exporter (built without the OTLPExport trait); cannot send spans to \(endpoint)" }
}
