import NIOCore
import NIOFoundationCompat

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Types whose binary form is not what their own `Codable` conformance would produce,
// either because that would be wrong for a positional format (optionals, dictionaries) or
// needlessly slow and large (byte containers, arrays with a known count).

protocol BinaryPayloadSpecialEncodable {
    func encodeBinaryPayload(to writer: BinaryPayloadWriter) throws
}

protocol BinaryPayloadSpecialDecodable {
    static func decodeBinaryPayload(from reader: BinaryPayloadReader) throws -> Self
}

/// Elements reserved up front at most, whatever count the payload claims: the count is
/// only bounded by the remaining bytes, and an element can be far larger in memory than
/// the one byte it may take on the wire.
private let maxReservedElements = 1024

// `Optional.encode(to:)` would write a present value without the presence byte that
// tells the decoder a value follows.
extension Optional: BinaryPayloadSpecialEncodable where Wrapped: Encodable {
    func encodeBinaryPayload(to writer: BinaryPayloadWriter) throws {
        guard let self else {
            writer.writePresence(false)
            return
        }
        writer.writePresence(true)
        try writer.encodeValue(self)
    }
}

extension Optional: BinaryPayloadSpecialDecodable where Wrapped: Decodable {
    static func decodeBinaryPayload(from reader: BinaryPayloadReader) throws -> Wrapped? {
        try reader.readPresence() ? reader.decodeValue(Wrapped.self) : nil
    }
}

// Written directly rather than through an unkeyed container, so the count is a short
// varint instead of a padded one; `[UInt8]` is copied as one block rather than per byte.
extension Array: BinaryPayloadSpecialEncodable where Element: Encodable {
    func encodeBinaryPayload(to writer: BinaryPayloadWriter) throws {
        if Element.self == UInt8.self {
            self.withUnsafeBytes { writer.writeLengthPrefixed($0) }
            return
        }
        writer.buffer.writeVarint(UInt64(self.count))
        for element in self {
            try writer.encodeElement(element)
        }
    }
}

extension Array: BinaryPayloadSpecialDecodable where Element: Decodable {
    static func decodeBinaryPayload(from reader: BinaryPayloadReader) throws -> [Element] {
        if Element.self == UInt8.self {
            // `Element` is `UInt8`: the bit cast only restates the type. (`as? [Element]`
            // would say the same but checks every element, which dominated the edge's
            // profile for large HTTP bodies.)
            return unsafeBitCast(try reader.readBytes { Array<UInt8>($0) }, to: [Element].self)
        }
        let count = try reader.readLength()
        var elements: [Element] = []
        elements.reserveCapacity(Swift.min(count, maxReservedElements))
        for _ in 0..<count {
            elements.append(try reader.decodeValue(Element.self))
        }
        return elements
    }
}

// `Dictionary.encode(to:)` writes String and Int keys as keys of a keyed container,
// which this format drops; write count and key-value pairs for every key type instead.
extension Dictionary: BinaryPayloadSpecialEncodable where Key: Encodable, Value: Encodable {
    func encodeBinaryPayload(to writer: BinaryPayloadWriter) throws {
        writer.buffer.writeVarint(UInt64(self.count))
        for (key, value) in self {
            try writer.encodeElement(key)
            try writer.encodeValue(value)
        }
    }
}

extension Dictionary: BinaryPayloadSpecialDecodable where Key: Decodable, Value: Decodable {
    static func decodeBinaryPayload(from reader: BinaryPayloadReader) throws -> [Key: Value] {
        let count = try reader.readLength()
        var dictionary: [Key: Value] = [:]
        dictionary.reserveCapacity(Swift.min(count, maxReservedElements))
        for _ in 0..<count {
            let key = try reader.decodeValue(Key.self)
            let value = try reader.decodeValue(Value.self)
            // A duplicate cannot come from an encoder; accepting it would let the last
            // copy silently win.
            guard dictionary.updateValue(value, forKey: key) == nil else {
                throw reader.corrupted("duplicate dictionary key")
            }
        }
        return dictionary
    }
}

// `Data` would otherwise go through an unkeyed container one byte at a time.
extension Data: BinaryPayloadSpecialEncodable {
    func encodeBinaryPayload(to writer: BinaryPayloadWriter) {
        self.withUnsafeBytes { writer.writeLengthPrefixed($0) }
    }
}

extension Data: BinaryPayloadSpecialDecodable {
    static func decodeBinaryPayload(from reader: BinaryPayloadReader) throws -> Data {
        try reader.readBytes { Data($0) }
    }
}

// `ByteBuffer`'s own conformance writes a base64 string; HTTP bodies deserve raw bytes,
// and decoding to a slice of the payload copies nothing.
extension ByteBuffer: BinaryPayloadSpecialEncodable {
    func encodeBinaryPayload(to writer: BinaryPayloadWriter) {
        writer.buffer.writeVarint(UInt64(self.readableBytes))
        writer.buffer.writeImmutableBuffer(self)
    }
}

extension ByteBuffer: BinaryPayloadSpecialDecodable {
    static func decodeBinaryPayload(from reader: BinaryPayloadReader) throws -> ByteBuffer {
        let length = try reader.readLength()
        guard let slice = reader.buffer.readSlice(length: length) else {
            throw reader.corrupted("byte buffer of \(length) bytes truncated")
        }
        return slice
    }
}
