/// `traceparent` headers (version 00) made without a tracer, for traces nobody records: a
/// service that starts a trace it does not record (``HeadSampler``) gives the request or call a
/// context of its own without creating a span, so it costs a few random numbers and one string.
public enum TraceParentText {
    /// A new trace, not sampled: `00-<trace id>-<span id>-00`. An all-zero id (invalid in W3C)
    /// becomes 1.
    public static func newTrace(traceIDHigh: UInt64, traceIDLow: UInt64, spanID: UInt64) -> String {
        String(unsafeUninitializedCapacity: length) { digits in
            writeFrame(into: digits)
            HexDigits.write(traceIDHigh, into: digits, at: 3)
            HexDigits.write(traceIDHigh == 0 ? nonZero(traceIDLow) : traceIDLow, into: digits, at: 19)
            HexDigits.write(nonZero(spanID), into: digits, at: 36)
            digits[53] = UInt8(ascii: "0")
            digits[54] = UInt8(ascii: "0")
            return length
        }
    }

    /// The same trace as `traceparent` (a valid header, e.g. a client's) with `spanID` as the
    /// parent the next hop sees (1 if 0), its flags kept; nil when the header has not version 00's layout.
    public static func continuing(_ traceparent: String, spanID: UInt64) -> String? {
        guard TraceParentPeek.hasVersion00Layout(traceparent) else { return nil }
        let utf8 = traceparent.utf8
        let traceID = utf8[utf8.index(utf8.startIndex, offsetBy: 3)..<utf8.index(utf8.startIndex, offsetBy: 35)]
        let flags = utf8[utf8.index(utf8.startIndex, offsetBy: 53)..<utf8.index(utf8.startIndex, offsetBy: 55)]
        return String(unsafeUninitializedCapacity: length) { digits in
            writeFrame(into: digits)
            _ = UnsafeMutableBufferPointer(rebasing: digits[3..<35]).initialize(from: traceID)
            HexDigits.write(nonZero(spanID), into: digits, at: 36)
            _ = UnsafeMutableBufferPointer(rebasing: digits[53..<55]).initialize(from: flags)
            return length
        }
    }

    private static let length = 55

    private static func nonZero(_ id: UInt64) -> UInt64 {
        id == 0 ? 1 : id
    }

    /// The version and the dashes: `00-…-…-`.
    private static func writeFrame(into digits: UnsafeMutableBufferPointer<UInt8>) {
        digits[0] = UInt8(ascii: "0")
        digits[1] = UInt8(ascii: "0")
        digits[2] = UInt8(ascii: "-")
        digits[35] = UInt8(ascii: "-")
        digits[52] = UInt8(ascii: "-")
    }
}
