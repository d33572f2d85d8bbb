/// Decides whether a new trace is recorded before any span exists: a tracer's own sampler
/// decides only after making a span, and at 1 % sampling that span, made and dropped for every
/// request, was most of what tracing cost (README, "What tracing costs"). Every service that
/// starts traces decides with it — the edge for the requests it forwards, the RPC server for a
/// call that arrives without a `traceparent`, the RPC client for a call made outside any trace —
/// and a trace it leaves out goes on as a `traceparent` made from random numbers
/// (``unrecordedTrace(random:)``), so the services behind follow the decision and the tracer
/// sees only what it records.
///
/// It reads the standard sampler variables the way OpenTelemetry's SDKs do for a new trace:
/// `OTEL_TRACES_SAMPLER` (`always_on`, `always_off`, `traceidratio` and their `parentbased_`
/// forms; unset means `parentbased_traceidratio` here) with its ratio `--trace-sample-ratio` /
/// `OTEL_TRACES_SAMPLER_ARG`. A trace a caller continues follows the caller's sampled flag, as
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

    /// Draws for a new trace: nil when it is recorded (the tracer starts it), else its unsampled
    /// `traceparent`, `00-<trace id>-<span id>-00`, for the call or request to go on with.
    public func unrecordedTrace(random: inout SplitMix64) -> String? {
        guard !records(draw: random.next()) else { return nil }
        return TraceParentText.newTrace(traceIDHigh: random.next(), traceIDLow: random.next(), spanID: random.next())
    }

    /// The same with a generator seeded for this one decision (one `getrandom` call), where no
    /// generator is at hand.
    public func unrecordedTrace() -> String? {
        var random = SplitMix64()
        return unrecordedTrace(random: &random)
    }
}
