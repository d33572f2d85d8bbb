public import NIOCore

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

// The built-in field types. Signed integers are zigzag varints, unsigned ones plain varints;
// every integer type reads any varint and refuses one out of its range, so widening a field
// (Int32 → Int64) keeps old bytes readable, though the contract still calls it a change.

extension Bool: WireValue {
    @inlinable public static var wireType: WireType { .varint }

    @inlinable
    public static func writeWire(_ value: Bool, to fields: inout WireFields) throws {
        if fields.isWritingJSON {
            fields.writeJSONLiteral(value ? "true" : "false")
        } else {
            fields.buffer.writeInteger(value ? 1 : 0, as: UInt8.self)
        }
    }

    @inlinable
    public static func writeWireField(key: UInt64, _ value: Bool, to fields: inout WireFields) throws {
        fields.writeKeyAnd(key, maximumValueBytes: 1) { output, index in
            output[index] = value ? 1 : 0
            return index + 1
        }
    }

    @inlinable
    public static func readWire(from fields: inout WireFields) throws -> Bool {
        switch try fields.readVarint() {
        case 0: return false
        case 1: return true
        case let other: throw fields.corrupted("invalid Bool \(other), expected 0 or 1")
        }
    }

    public static func readJSON(from fields: inout WireFields) throws -> Bool {
        guard case .bool(let value) = fields.jsonValue else { throw fields.jsonTypeMismatch("true or false") }
        return value
    }

    public static func wireValueType(in fields: inout WireFields) -> WireValueType { .bool }
}

/// The integer types: one implementation, parameterized by how the value maps to 64 bits.
@usableFromInline
protocol WireInteger: WireValue, FixedWidthInteger {
    static var contractType: WireValueType { get }
}

extension WireInteger {
    @inlinable public static var wireType: WireType { .varint }

    @inlinable
    public static func writeWire(_ value: Self, to fields: inout WireFields) throws {
        if fields.isWritingJSON {
            fields.writeJSONLiteral(String(value))
        } else if Self.isSigned {
            fields.buffer.writeVarint(zigZagEncode(Int64(truncatingIfNeeded: value)))
        } else {
            fields.buffer.writeVarint(UInt64(truncatingIfNeeded: value))
        }
    }

    @inlinable
    public static func writeWireField(key: UInt64, _ value: Self, to fields: inout WireFields) throws {
        let raw = Self.isSigned ? zigZagEncode(Int64(truncatingIfNeeded: value)) : UInt64(truncatingIfNeeded: value)
        fields.writeKeyAnd(key, maximumValueBytes: maxVarintLength) { output, index in
            putVarint(raw, into: output, at: index)
        }
    }

    @inlinable
    public static func readWire(from fields: inout WireFields) throws -> Self {
        let raw = try fields.readVarint()
        if Self.isSigned {
            let signed = zigZagDecode(raw)
            guard let value = Self(exactly: signed) else { throw fields.corrupted("integer \(signed) does not fit in \(Self.self)") }
            return value
        }
        guard let value = Self(exactly: raw) else { throw fields.corrupted("integer \(raw) does not fit in \(Self.self)") }
        return value
    }

    public static func readJSON(from fields: inout WireFields) throws -> Self {
        let value: Self?
        switch fields.jsonValue {
        case .integer(let integer): value = Self(exactly: integer)
        case .unsigned(let integer): value = Self(exactly: integer)
        case .number(let number): value = Self(exactly: number)
        default: throw fields.jsonTypeMismatch("an integer")
        }
        guard let value else { throw fields.jsonTypeMismatch("an integer that fits in \(Self.self)") }
        return value
    }

    public static func wireValueType(in fields: inout WireFields) -> WireValueType { contractType }
}

extension Int: WireInteger { @usableFromInline static var contractType: WireValueType { .int64 } }
extension Int64: WireInteger { @usableFromInline static var contractType: WireValueType { .int64 } }
extension Int32: WireInteger { @usableFromInline static var contractType: WireValueType { .int32 } }
extension UInt64: WireInteger { @usableFromInline static var contractType: WireValueType { .uint64 } }
extension UInt32: WireInteger { @usableFromInline static var contractType: WireValueType { .uint32 } }

extension Double: WireValue {
    @inlinable public static var wireType: WireType { .fixed64 }

    @inlinable
    public static func writeWire(_ value: Double, to fields: inout WireFields) throws {
        if fields.isWritingJSON {
            fields.writeJSONNumber(value)
        } else {
            fields.buffer.writeInteger(value.bitPattern, endianness: .little)
        }
    }

    @inlinable
    public static func writeWireField(key: UInt64, _ value: Double, to fields: inout WireFields) throws {
        fields.writeFixed64Field(key, value.bitPattern)
    }

    @inlinable
    public static func readWire(from fields: inout WireFields) throws -> Double {
        Double(bitPattern: try fields.readFixed(UInt64.self))
    }

    public static func readJSON(from fields: inout WireFields) throws -> Double { try fields.readJSONNumber() }

    public static func wireValueType(in fields: inout WireFields) -> WireValueType { .double }
}

extension Float: WireValue {
    @inlinable public static var wireType: WireType { .fixed32 }

    @inlinable
    public static func writeWire(_ value: Float, to fields: inout WireFields) throws {
        if fields.isWritingJSON {
            fields.writeJSONNumber(Double(value))
        } else {
            fields.buffer.writeInteger(value.bitPattern, endianness: .little)
        }
    }

    @inlinable
    public static func readWire(from fields: inout WireFields) throws -> Float {
        Float(bitPattern: try fields.readFixed(UInt32.self))
    }

    public static func readJSON(from fields: inout WireFields) throws -> Float { Float(try fields.readJSONNumber()) }

    public static func wireValueType(in fields: inout WireFields) -> WireValueType { .float }
}

extension String: WireValue {
    @inlinable public static var wireType: WireType { .lengthDelimited }

    @inlinable
    public static func writeWire(_ value: String, to fields: inout WireFields) throws {
        if fields.isWritingJSON {
            fields.writeJSONString(value)
        } else {
            fields.buffer.writeVarint(UInt64(value.utf8.count))
            fields.buffer.writeString(value)
        }
    }

    @inlinable
    public static func writeWireField(key: UInt64, _ value: String, to fields: inout WireFields) throws {
        let count = UInt64(value.utf8.count)
        fields.writeKeyAnd(key, maximumValueBytes: maxVarintLength) { output, index in
            putVarint(count, into: output, at: index)
        }
        fields.buffer.writeString(value)
    }

    @inlinable
    public static func readWire(from fields: inout WireFields) throws -> String {
        let length = try fields.readLength()
        return try fields.readString(length: length)
    }

    public static func readJSON(from fields: inout WireFields) throws -> String {
        guard case .string(let value) = fields.jsonValue else { throw fields.jsonTypeMismatch("a string") }
        return value
    }

    public static func wireValueType(in fields: inout WireFields) -> WireValueType { .string }
}

extension WireFields {
    @inlinable
    mutating func writeFixed64Field(_ key: UInt64, _ bits: UInt64) {
        writeKeyAnd(key, maximumValueBytes: 8) { output, index in
            output.storeBytes(of: bits.littleEndian, toByteOffset: index, as: UInt64.self)
            return index + 8
        }
    }

    @usableFromInline
    mutating func readString(length: Int) throws -> String {
        let utf8 = UnsafeRawBufferPointer(rebasing: input[position..<position + length])
        // ASCII is valid UTF-8 and checked far faster than the general validation.
        let string = isASCII(utf8) ? String(decoding: utf8, as: UTF8.self) : String(validating: utf8, as: UTF8.self)
        guard let string else { throw corrupted("string of \(length) bytes is not valid UTF-8") }
        position += length
        return string
    }
}

/// Bytes: a slice of the payload when read, so a large body is not copied.
extension ByteBuffer: WireValue {
    @inlinable public static var wireType: WireType { .lengthDelimited }

    @inlinable
    public static func writeWire(_ value: ByteBuffer, to fields: inout WireFields) throws {
        if fields.isWritingJSON {
            fields.writeJSONString(Data(value.readableBytesView).base64EncodedString())
        } else {
            fields.buffer.writeVarint(UInt64(value.readableBytes))
            fields.buffer.writeImmutableBuffer(value)
        }
    }

    @inlinable
    public static func readWire(from fields: inout WireFields) throws -> ByteBuffer {
        let length = try fields.readLength()
        guard let slice = fields.buffer.getSlice(at: fields.buffer.readerIndex + fields.position, length: length) else {
            throw fields.truncated(needing: length)
        }
        fields.position += length
        return slice
    }

    public static func readJSON(from fields: inout WireFields) throws -> ByteBuffer {
        guard case .string(let text) = fields.jsonValue, let data = Data(base64Encoded: text) else {
            throw fields.jsonTypeMismatch("a base64 string")
        }
        return ByteBuffer(bytes: data)
    }

    public static func wireValueType(in fields: inout WireFields) -> WireValueType { .bytes }
}

/// A point in time: seconds since 2001-01-01 as a `Double` on the wire, ISO 8601 in JSON.
extension Date: WireValue {
    @inlinable public static var wireType: WireType { .fixed64 }

    @inlinable
    public static func writeWire(_ value: Date, to fields: inout WireFields) throws {
        if fields.isWritingJSON {
            fields.writeJSONDate(value)
        } else {
            fields.buffer.writeInteger(value.timeIntervalSinceReferenceDate.bitPattern, endianness: .little)
        }
    }

    @inlinable
    public static func writeWireField(key: UInt64, _ value: Date, to fields: inout WireFields) throws {
        fields.writeFixed64Field(key, value.timeIntervalSinceReferenceDate.bitPattern)
    }

    @inlinable
    public static func readWire(from fields: inout WireFields) throws -> Date {
        Date(timeIntervalSinceReferenceDate: Double(bitPattern: try fields.readFixed(UInt64.self)))
    }

    public static func readJSON(from fields: inout WireFields) throws -> Date { try fields.readJSONDate() }

    public static func wireValueType(in fields: inout WireFields) -> WireValueType { .timestamp }
}
