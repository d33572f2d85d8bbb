import NIOCore

/// The scalar types every `Encoder`/`Decoder` container must handle, each with its one
/// wire representation, so that the keyed, unkeyed and single-value containers all share
/// it instead of repeating it fourteen times.
protocol BinaryPayloadPrimitive {
    func write(to writer: BinaryPayloadWriter)
    static func read(from reader: BinaryPayloadReader) throws -> Self
}

extension Bool: BinaryPayloadPrimitive {
    func write(to writer: BinaryPayloadWriter) {
        writer.buffer.writeInteger(self ? 1 : 0, as: UInt8.self)
    }

    static func read(from reader: BinaryPayloadReader) throws -> Bool {
        switch try reader.readByte() {
        case 0: return false
        case 1: return true
        case let byte: throw reader.corrupted("invalid Bool byte \(byte), expected 0 or 1", backtrack: 1)
        }
    }
}

extension String: BinaryPayloadPrimitive {
    func write(to writer: BinaryPayloadWriter) {
        writer.buffer.writeVarint(UInt64(self.utf8.count))
        writer.buffer.writeString(self)
    }

    static func read(from reader: BinaryPayloadReader) throws -> String {
        let length = try reader.readLength()
        let string = reader.buffer.withUnsafeReadableBytes { bytes -> String? in
            let utf8 = UnsafeRawBufferPointer(rebasing: bytes.prefix(length))
            // ASCII is valid UTF-8 and checked far faster than the general validation.
            if isASCII(utf8) {
                return String(decoding: utf8, as: UTF8.self)
            }
            return String(validating: utf8, as: UTF8.self)
        }
        guard let string else {
            throw reader.corrupted("string of \(length) bytes is not valid UTF-8")
        }
        reader.buffer.moveReaderIndex(forwardBy: length)
        return string
    }
}

extension Double: BinaryPayloadPrimitive {
    func write(to writer: BinaryPayloadWriter) {
        writer.buffer.writeInteger(self.bitPattern, endianness: .little)
    }

    static func read(from reader: BinaryPayloadReader) throws -> Double {
        Double(bitPattern: try reader.readFixedWidth(UInt64.self))
    }
}

extension Float: BinaryPayloadPrimitive {
    func write(to writer: BinaryPayloadWriter) {
        writer.buffer.writeInteger(self.bitPattern, endianness: .little)
    }

    static func read(from reader: BinaryPayloadReader) throws -> Float {
        Float(bitPattern: try reader.readFixedWidth(UInt32.self))
    }
}

extension BinaryPayloadPrimitive where Self: FixedWidthInteger & UnsignedInteger {
    func write(to writer: BinaryPayloadWriter) {
        writer.buffer.writeVarint(UInt64(self))
    }

    static func read(from reader: BinaryPayloadReader) throws -> Self {
        let raw = try reader.readVarint()
        guard let value = Self(exactly: raw) else {
            throw reader.corrupted("integer \(raw) does not fit in \(Self.self)")
        }
        return value
    }
}

extension BinaryPayloadPrimitive where Self: FixedWidthInteger & SignedInteger {
    func write(to writer: BinaryPayloadWriter) {
        writer.buffer.writeVarint(zigZagEncode(Int64(self)))
    }

    static func read(from reader: BinaryPayloadReader) throws -> Self {
        let raw = zigZagDecode(try reader.readVarint())
        guard let value = Self(exactly: raw) else {
            throw reader.corrupted("integer \(raw) does not fit in \(Self.self)")
        }
        return value
    }
}

extension Int: BinaryPayloadPrimitive {}
extension Int8: BinaryPayloadPrimitive {}
extension Int16: BinaryPayloadPrimitive {}
extension Int32: BinaryPayloadPrimitive {}
extension Int64: BinaryPayloadPrimitive {}
extension UInt: BinaryPayloadPrimitive {}
extension UInt8: BinaryPayloadPrimitive {}
extension UInt16: BinaryPayloadPrimitive {}
extension UInt32: BinaryPayloadPrimitive {}
extension UInt64: BinaryPayloadPrimitive {}

// Zigzag maps small negative numbers to small unsigned ones (0, -1, 1, -2 → 0, 1, 2, 3),
// so that they stay short as varints instead of always taking ten bytes.
@inline(__always)
func zigZagEncode(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value &<< 1) ^ (value &>> 63))
}

@inline(__always)
func zigZagDecode(_ value: UInt64) -> Int64 {
    Int64(bitPattern: (value &>> 1) ^ (0 &- (value & 1)))
}

func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    // OR-ing eight bytes at a time lets the loop check a whole word per step.
    var accumulated: UInt64 = 0
    var index = 0
    while index + 8 <= bytes.count {
        accumulated |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        index += 8
    }
    while index < bytes.count {
        accumulated |= UInt64(bytes[index])
        index += 1
    }
    return accumulated & 0x8080_8080_8080_8080 == 0
}

/// The largest number of bytes a varint may take: ⌈64 / 7⌉.
let maxVarintLength = 10

/// The outcome of parsing a varint from raw bytes, kept free of `throws` so that it can run
/// inside `withUnsafeReadableBytes` without touching the reader.
enum VarintParseResult {
    case value(UInt64, length: Int)
    case truncated
    case tooLong
}

func parseVarint(_ bytes: UnsafeRawBufferPointer) -> VarintParseResult {
    var value: UInt64 = 0
    for index in 0..<min(bytes.count, maxVarintLength) {
        let byte = bytes[index]
        // The tenth byte carries only bit 63; anything more would overflow UInt64.
        if index == maxVarintLength - 1 && byte > 1 {
            return .tooLong
        }
        value |= UInt64(byte & 0x7F) &<< (7 * index)
        if byte < 0x80 {
            return .value(value, length: index + 1)
        }
    }
    return bytes.count < maxVarintLength ? .truncated : .tooLong
}

extension ByteBuffer {
    /// Appends `value` as an LEB128 varint: seven bits per byte, least significant first,
    /// high bit set on every byte but the last.
    mutating func writeVarint(_ value: UInt64) {
        if value < 0x80 {
            self.writeInteger(UInt8(truncatingIfNeeded: value))
            return
        }
        self.writeWithUnsafeMutableBytes(minimumWritableBytes: maxVarintLength) { output in
            var remaining = value
            var index = 0
            while remaining >= 0x80 {
                output[index] = UInt8(truncatingIfNeeded: remaining) | 0x80
                remaining >>= 7
                index += 1
            }
            output[index] = UInt8(truncatingIfNeeded: remaining)
            return index + 1
        }
    }

    /// Writes `value` at `index` as a varint padded to exactly `paddedVarintLength` bytes, so
    /// that a count reserved before its elements are known can be patched in place.
    /// Any varint reader decodes it; it is merely not the shortest form.
    mutating func setPaddedVarint(_ value: UInt64, at index: Int) {
        var word: UInt64 = 0
        for position in 0..<paddedVarintLength {
            let isLast = position == paddedVarintLength - 1
            let group = (value &>> (7 * UInt64(position))) & 0x7F
            word |= (group | (isLast ? 0 : 0x80)) &<< (8 * UInt64(position))
        }
        self.setInteger(UInt32(truncatingIfNeeded: word), at: index, endianness: .little)
        self.setInteger(UInt8(truncatingIfNeeded: word &>> 32), at: index + 4)
    }
}

/// Five varint bytes hold 35 bits: more elements than any payload can carry.
let paddedVarintLength = 5
let maxPaddedVarintValue: UInt64 = (1 << 35) - 1
