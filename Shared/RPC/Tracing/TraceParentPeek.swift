/// Reads a `traceparent`'s sampled flag and trace id without parsing the whole header: the RPC
/// server looks at every call's, and an unsampled trace is passed on untouched, so the check has
/// to cost less than the span it saves. A tracer parses the header properly when it records one.
enum TraceParentPeek {
    /// Whether the header's last field (the flags, `-` and two hex digits) has the sampled bit;
    /// true when it cannot tell, so the tracer decides.
    static func isSampled(_ traceparent: String) -> Bool {
        let utf8 = traceparent.utf8
        guard utf8.count >= 3 else { return true }
        let last = utf8.index(before: utf8.endIndex)
        let high = utf8.index(before: last)
        guard utf8[utf8.index(before: high)] == UInt8(ascii: "-"), hexValue(utf8[high]) != nil, let low = hexValue(utf8[last])
        else { return true }
        return low & 1 == 1
    }

    /// The 32 hex digits after the version (`00-<trace id>-…`), when the header has that shape.
    static func traceID(_ traceparent: String) -> Substring? {
        let utf8 = traceparent.utf8
        guard utf8.count >= 36, let start = utf8.firstIndex(of: UInt8(ascii: "-")) else { return nil }
        let from = utf8.index(after: start)
        guard let end = utf8.index(from, offsetBy: 32, limitedBy: utf8.endIndex), end < utf8.endIndex,
            utf8[end] == UInt8(ascii: "-")
        else { return nil }
        return Substring(traceparent[from..<end])
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
