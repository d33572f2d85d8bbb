/// Base64url without padding (RFC 7515 §2), the encoding of every JWT part and of our entity
/// tags. Written on bytes: it runs on every request that checks a token or tags a body.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes, unpadded.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let count = bytes.count
        let length = count / 3 * 4 + [0, 2, 3][count % 3]
        return String(unsafeUninitializedCapacity: length) { output in
            var written = 0
            var iterator = bytes.makeIterator()
            while let first = iterator.next() {
                let second = iterator.next()
                let third = iterator.next()
                let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
                output[written] = alphabet[Int(group >> 18 & 63)]
                output[written + 1] = alphabet[Int(group >> 12 & 63)]
                written += 2
                if second != nil {
                    output[written] = alphabet[Int(group >> 6 & 63)]
                    written += 1
                }
                if third != nil {
                    output[written] = alphabet[Int(group & 63)]
                    written += 1
                }
            }
            return written
        }
    }

    /// Nil for anything but the unpadded url-safe alphabet; the standard alphabet and padding
    /// are refused so one token has one spelling. Bits left over in the last character must
    /// be zero, for the same reason.
    public static func decode(_ text: Substring) -> [UInt8]? {
        let input = text.utf8
        guard input.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in input {
            guard let value = sextet(byte) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return nil }
        return output
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
