/// `application/x-www-form-urlencoded`, the syntax of query strings and form bodies:
/// `&`-separated `name=value` pairs, `+` for space, `%XX` escapes of UTF-8 bytes.
public enum FormURLEncoding {
    /// The pairs in order; nil when an escape is malformed or the bytes are not UTF-8.
    public static func parse(_ text: Substring) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(pieces[0]), let value = decode(pieces.count > 1 ? pieces[1] : "") else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    /// Form decoding; `plusIsSpace: false` decodes a path segment, where `+` is itself.
    public static func decode(_ text: Substring, plusIsSpace: Bool = true) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Escapes everything but RFC 3986's unreserved characters, so a value survives any
    /// query-string parser unchanged.
    public static func encode(_ text: String) -> String {
        // Names, the common case, need no escape: links are built from them all the time.
        guard !text.utf8.allSatisfy(isUnreserved) else { return text }
        return String(unsafeUninitializedCapacity: maximumEncodedLength(text)) { buffer in
            var writer = ByteWriter(UnsafeMutableRawBufferPointer(buffer))
            encode(text, to: &writer)
            return writer.count
        }
    }

    /// The longest `encode(text)`: every byte escaped.
    @inlinable
    public static func maximumEncodedLength(_ text: String) -> Int {
        3 * text.utf8.count
    }

    /// `encode(text)` written in place, as a link being written takes it.
    @inlinable
    public static func encode(_ text: String, to writer: inout ByteWriter) {
        guard !text.utf8.allSatisfy(isUnreserved) else { return writer.utf8(text) }
        for byte in text.utf8 {
            if isUnreserved(byte) {
                writer.byte(byte)
            } else {
                writer.byte(UInt8(ascii: "%"))
                writer.byte(upperHexDigit(byte >> 4))
                writer.byte(upperHexDigit(byte & 0xF))
            }
        }
    }

    @usableFromInline
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    @usableFromInline
    static func upperHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
