public import Logging

/// The `trace_id` and `span_id` of a W3C `traceparent` as log metadata, for the lines of a call
/// served without a span of its own: one whose trace is not recorded, or any while tracing is
/// off. Its lines then name the span it continues (the caller's), as an OpenTelemetry API without
/// an SDK would. Where a span is current, the tracer's metadata provider names that one instead
/// (``ServiceLogHandler`` lets the provider win).
///
/// The ids are cut out of the header only when a line is written: a call that logs nothing pays
/// for two metadata entries, not for two strings.
public enum TraceLogMetadata {
    /// The keys swift-otel's metadata provider writes for a current span.
    public static let traceIDKey = "trace_id"
    public static let spanIDKey = "span_id"

    /// Adds the header's ids to the logger's metadata; a header of another shape adds nothing.
    public static func add(traceparent: String, to logger: inout Logger) {
        guard let fields = fields(of: traceparent) else { return }
        logger[metadataKey: traceIDKey] = .stringConvertible(fields.traceID)
        logger[metadataKey: spanIDKey] = .stringConvertible(fields.spanID)
    }

    /// Adds the header's ids to a line's metadata; a header of another shape adds nothing.
    public static func add(traceparent: String, to metadata: inout Logger.Metadata) {
        guard let fields = fields(of: traceparent) else { return }
        metadata[traceIDKey] = .stringConvertible(fields.traceID)
        metadata[spanIDKey] = .stringConvertible(fields.spanID)
    }

    private static func fields(of traceparent: String) -> (traceID: HeaderField, spanID: HeaderField)? {
        guard TraceParentPeek.hasVersion00Layout(traceparent) else { return nil }
        return (HeaderField(header: traceparent, part: .traceID), HeaderField(header: traceparent, part: .spanID))
    }

    /// A part of a header, as text when a line is written. Small enough (a string and a byte) to
    /// sit in a metadata value without a box of its own.
    private struct HeaderField: CustomStringConvertible, Sendable {
        enum Part { case traceID, spanID }
        let header: String
        let part: Part

        var description: String {
            String(part == .traceID ? TraceParentPeek.traceID(header) ?? "" : TraceParentPeek.spanID(header) ?? "")
        }
    }
}
