/// Decides, where requests enter the system (the edge), whether a new trace is recorded, before
/// any span exists: a tracer's own sampler decides only after making a span, and at 1 % sampling
/// that span, made and dropped for every request, was most of what tracing cost the edge
/// (README, "What tracing costs"). A request whose trace is not recorded then gets a
/// `traceparent` made from the connection's random numbers (``TraceParentText``), and the tracer
/// sees only the requests it records.
///
/// It reads the standard sampler variables the way OpenTelemetry's SDKs do for a new trace:
/// `OTEL_TRACES_SAMPLER` (`always_on`, `always_off`, `traceidratio` and their `parentbased_`
/// forms; unset means `parentbased_traceidratio` here) with its ratio `--trace-sample-ratio` /
/// `OTEL_TRACES_SAMPLER_ARG`. A trace a client continues follows the client's sampled flag, as
/// the parent-based samplers do.
public struct HeadSampler: Sendable, Equatable {
    /// Share of new traces recorded, 0 to 1.
    public let ratio: Double
    /// Draws below it are recorded.
    private let bound: UInt64

    public init(ratio: Double) {
        self.ratio = min(max(ratio, 0), 1)
        bound = self.ratio >= 1 ? .max : UInt64(self.ratio * Double(UInt64.max))
    }

    /// From `OTEL_TRACES_SAMPLER`'s value and the configured ratio; nil for a sampler it does not
    /// know (e.g. `jaeger_remote`), which the tracer then applies itself.
    public init?(sampler: String?, ratio: Double) {
        switch sampler?.lowercased() {
        case nil, "", "traceidratio", "parentbased_traceidratio": self.init(ratio: ratio)
        case "always_on", "parentbased_always_on": self.init(ratio: 1)
        case "always_off", "parentbased_always_off": self.init(ratio: 0)
        default: return nil
        }
    }

    /// Whether a new trace is recorded, given a uniformly random draw.
    public func records(draw: UInt64) -> Bool {
        ratio >= 1 || draw < bound
    }
}
