/// Lowercase hex straight into a string's storage, for the ids made on every request (request
/// ids, `traceparent`s): no intermediate arrays or strings.
enum HexDigits {
    /// Writes `value` as 16 digits at `digits[start..<start + 16]`.
    static func write(_ value: UInt64, into digits: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var value = value
        for position in (start..<start + 16).reversed() {
            let nibble = UInt8(truncatingIfNeeded: value & 0xF)
            digits[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            value >>= 4
        }
    }
}
