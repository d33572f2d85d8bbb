/// The one JSON string escaper (RFC 8259), as Foundation's `JSONEncoder` writes strings with
/// `.withoutEscapingSlashes`: `\"`, `\\`, the short escapes `\b \f \n \r \t`, `\u00XX` for
/// other control characters; every other byte, DEL and non-ASCII included, as it is.
///
/// It hands its output to `emit` in runs (unescaped stretches of the input, and escape
/// sequences), so each writer (an array, a string, a raw buffer) copies runs, not bytes.
public enum JSONString {
    /// The most bytes one input byte becomes (`\u00XX`); size buffers with it.
    public static let maximumEscapedBytesPerByte = 6

    /// Emits the escaped form of `utf8`, without the surrounding quotes.
    @inlinable
    public static func escape(_ utf8: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        var runStart = utf8.startIndex
        for index in utf8.indices {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index { emit(UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            escapeSequence(for: byte).withUnsafeBufferPointer { emit($0) }
            runStart = index + 1
        }
        if runStart < utf8.endIndex { emit(UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    /// Emits `text` as a JSON string literal, quotes included.
    @inlinable
    public static func quote(_ text: String, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUTF8(text) { utf8 in
            quoteMark.withUnsafeBufferPointer { emit($0) }
            escape(utf8, emit)
            quoteMark.withUnsafeBufferPointer { emit($0) }
        }
    }

    /// Appends `text` as a JSON string literal, quotes included.
    @inlinable
    public static func append(_ text: String, to bytes: inout [UInt8]) {
        quote(text) { bytes.append(contentsOf: $0) }
    }

    /// The escape sequence for a byte that needs one (a control character, `"` or `\`).
    @inlinable
    public static func escapeSequence(for byte: UInt8) -> [UInt8] {
        switch byte {
        case UInt8(ascii: "\""): return [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): return [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        default: return controlEscapes[Int(byte)]
        }
    }

    @usableFromInline
    static let quoteMark: [UInt8] = [UInt8(ascii: "\"")]

    /// Index = the control character.
    @usableFromInline
    static let controlEscapes: [[UInt8]] = (0..<0x20).map { (byte: UInt8) -> [UInt8] in
        switch byte {
        case 0x08: return Array(#"\b"#.utf8)
        case 0x0C: return Array(#"\f"#.utf8)
        case UInt8(ascii: "\n"): return Array(#"\n"#.utf8)
        case UInt8(ascii: "\r"): return Array(#"\r"#.utf8)
        case UInt8(ascii: "\t"): return Array(#"\t"#.utf8)
        default:
            let hex = Array("0123456789abcdef".utf8)
            return Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        }
    }

    /// The string's UTF-8 in place; native and small strings always have it.
    @inlinable
    static func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var native = text
        return native.withUTF8(body)
    }
}
