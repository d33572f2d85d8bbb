public import NIOCore

// LEB128 varints and zigzag, the integer encodings of the wire format.

/// The largest number of bytes a varint may take: ⌈64 / 7⌉.
@usableFromInline let maxVarintLength = 10

/// A nested message's byte count is written after the message, in room reserved before it:
/// two bytes, what counts from 128 to 16 383 take, so a typical message never moves (a
/// shorter or longer count moves the message by the difference).
@usableFromInline let reservedCountLength = 2
/// The largest count ``ByteBuffer/setVarint(_:at:length:)`` writes: five bytes' worth.
@usableFromInline let maxNestedLength: UInt64 = (1 << 35) - 1

// Zigzag maps small negative numbers to small unsigned ones (0, -1, 1, -2 → 0, 1, 2, 3),
// so that they stay short as varints instead of always taking ten bytes.
@inlinable @inline(__always)
func zigZagEncode(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value &<< 1) ^ (value &>> 63))
}

@inlinable @inline(__always)
func zigZagDecode(_ value: UInt64) -> Int64 {
    Int64(bitPattern: (value &>> 1) ^ (0 &- (value & 1)))
}

@inlinable
func varintLength(_ value: UInt64) -> Int {
    // One byte per started group of seven significant bits, at least one.
    max(1, (64 - value.leadingZeroBitCount + 6) / 7)
}

/// The outcome of parsing a varint from raw bytes, kept free of `throws` so that it can run
/// inside `withUnsafeReadableBytes` without touching the reader.
@usableFromInline
enum VarintParseResult {
    case value(UInt64, length: Int)
    case truncated
    case tooLong
}

@usableFromInline
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

@usableFromInline
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

/// Writes `value` as a varint into `output` at `index`; returns the index after it. The caller
/// has reserved ``maxVarintLength`` bytes.
@inlinable @inline(__always)
func putVarint(_ value: UInt64, into output: UnsafeMutableRawBufferPointer, at index: Int) -> Int {
    var remaining = value
    var position = index
    while remaining >= 0x80 {
        output[position] = UInt8(truncatingIfNeeded: remaining) | 0x80
        remaining >>= 7
        position += 1
    }
    output[position] = UInt8(truncatingIfNeeded: remaining)
    return position + 1
}

extension ByteBuffer {
    /// Appends `value` as an LEB128 varint: seven bits per byte, least significant first,
    /// high bit set on every byte but the last.
    @inlinable
    mutating func writeVarint(_ value: UInt64) {
        if value < 0x80 {
            self.writeInteger(UInt8(truncatingIfNeeded: value))
            return
        }
        self.writeLongVarint(value)
    }

    @usableFromInline
    mutating func writeLongVarint(_ value: UInt64) {
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

    /// Writes `value` at `index` (over bytes already written) as a varint of exactly `length`
    /// bytes, at least its shortest form and at most five: one write of the bytes as an integer.
    @inlinable
    mutating func setVarint(_ value: UInt64, at index: Int, length: Int) {
        var word: UInt64 = 0
        for position in 0..<length {
            let group = (value &>> (7 * UInt64(position))) & 0x7F
            word |= (group | (position == length - 1 ? 0 : 0x80)) &<< (8 * UInt64(position))
        }
        switch length {
        case 1: self.setInteger(UInt8(truncatingIfNeeded: word), at: index)
        case 2: self.setInteger(UInt16(truncatingIfNeeded: word), at: index, endianness: .little)
        case 3:
            self.setInteger(UInt16(truncatingIfNeeded: word), at: index, endianness: .little)
            self.setInteger(UInt8(truncatingIfNeeded: word &>> 16), at: index + 2)
        case 4: self.setInteger(UInt32(truncatingIfNeeded: word), at: index, endianness: .little)
        default:
            self.setInteger(UInt32(truncatingIfNeeded: word), at: index, endianness: .little)
            self.setInteger(UInt8(truncatingIfNeeded: word &>> 32), at: index + 4)
        }
    }
}
