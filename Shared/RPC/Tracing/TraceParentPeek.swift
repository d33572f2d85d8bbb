/// Reads a `traceparent`'s sampled flag and ids without parsing the whole header: the RPC server
/// looks at every call's, and an unsampled trace is passed on untouched, so the check has to cost
/// less than the span it saves. A tracer parses the header properly when it records one.
///
/// The layout is version 00's, `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`; a later
/// version may add fields after a further `-`, which are ignored.
enum TraceParentPeek {
    /// Whether the header's flags have the sampled bit; true when it cannot tell, so the tracer
    /// decides.
    static func isSampled(_ traceparent: String) -> Bool {
        guard hasVersion00Layout(traceparent) else { return true }
        let utf8 = traceparent.utf8
        let high = utf8.index(utf8.startIndex, offsetBy: 53)
        guard hexValue(utf8[high]) != nil, let low = hexValue(utf8[utf8.index(after: high)]) else { return true }
        return low & 1 == 1
    }

    /// The 32 hex digits of the trace id, when the header has version 00's layout.
    static func traceID(_ traceparent: String) -> Substring? {
        field(of: traceparent, from: 3, count: 32)
    }

    /// The 16 hex digits of the parent id (the caller's span), when the header has version 00's layout.
    static func spanID(_ traceparent: String) -> Substring? {
        field(of: traceparent, from: 36, count: 16)
    }

    /// Dashes where version 00 puts them, and nothing after the flags but another field.
    static func hasVersion00Layout(_ traceparent: String) -> Bool {
        let utf8 = traceparent.utf8
        let count = utf8.count
        guard count >= 55 else { return false }
        let dash = UInt8(ascii: "-")
        let start = utf8.startIndex
        return utf8[utf8.index(start, offsetBy: 2)] == dash && utf8[utf8.index(start, offsetBy: 35)] == dash
            && utf8[utf8.index(start, offsetBy: 52)] == dash && (count == 55 || utf8[utf8.index(start, offsetBy: 55)] == dash)
    }

    private static func field(of traceparent: String, from offset: Int, count: Int) -> Substring? {
        guard hasVersion00Layout(traceparent) else { return nil }
        let utf8 = traceparent.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: offset)
        return Substring(traceparent.utf8[start..<utf8.index(start, offsetBy: count)])
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
