import NIOCore
import NIOFoundationEssentialsCompat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The format's own containers: types whose binary form is not what their own `Codable`
// conformance would produce, either because that would be wrong for a positional format
// (optionals, dictionaries) or needlessly slow and large (byte containers, arrays with a
// known count). They use the public fast path, so their conformances are public, but unlike
// other conformances they define their bytes rather than reproduce `Codable`'s.

/// Elements reserved up front at most, whatever count the payload claims: the count is
/// only bounded by the remaining bytes, and an element can be far larger in memory than
/// the one byte it may take on the wire.
let maxReservedElements = 1024

// `Optional.encode(to:)` would write a present value without the presence byte that
// tells the decoder a value follows.
extension Optional: BinaryPayloadEncodable where Wrapped: Encodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
        guard let self else {
            output.writer.writePresence(false)
            return
        }
        output.writer.writePresence(true)
        try output.writer.encodeValue(self)
    }
}

extension Optional: BinaryPayloadDecodable where Wrapped: Decodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let reader = input.reader
        self = try reader.readPresence() ? reader.decodeValue(Wrapped.self) : nil
    }
}

// Written directly rather than through an unkeyed container, so the count is a short
// varint instead of a padded one; `[UInt8]` is copied as one block rather than per byte.
extension Array: BinaryPayloadEncodable where Element: Encodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
        let writer = output.writer
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

extension Array: BinaryPayloadDecodable where Element: Decodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let reader = input.reader
        if Element.self == UInt8.self {
            // `Element` is `UInt8`: the bit cast only restates the type. (`as? [Element]`
            // would say the same but checks every element, which dominated the edge's
            // profile for large HTTP bodies.)
            self = unsafeBitCast(try reader.readByteArray(), to: [Element].self)
            return
        }
        let count = try reader.readLength()
        self = []
        self.reserveCapacity(Swift.min(count, maxReservedElements))
        for _ in 0..<count {
            self.append(try reader.decodeValue(Element.self))
        }
    }
}

// `Dictionary.encode(to:)` writes String and Int keys as keys of a keyed container,
// which this format drops; write count and key-value pairs for every key type instead.
extension Dictionary: BinaryPayloadEncodable where Key: Encodable, Value: Encodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
        let writer = output.writer
        writer.buffer.writeVarint(UInt64(self.count))
        for (key, value) in self {
            try writer.encodeElement(key)
            try writer.encodeValue(value)
        }
    }
}

extension Dictionary: BinaryPayloadDecodable where Key: Decodable, Value: Decodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        let reader = input.reader
        let count = try reader.readLength()
        self = [:]
        self.reserveCapacity(Swift.min(count, maxReservedElements))
        for _ in 0..<count {
            let key = try reader.decodeValue(Key.self)
            let value = try reader.decodeValue(Value.self)
            // A duplicate cannot come from an encoder; accepting it would let the last
            // copy silently win.
            guard self.updateValue(value, forKey: key) == nil else {
                throw reader.corrupted("duplicate dictionary key")
            }
        }
    }
}

// `Data` would otherwise go through an unkeyed container one byte at a time.
extension Data: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        let writer = output.writer
        self.withUnsafeBytes { writer.writeLengthPrefixed($0) }
    }
}

extension Data: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        self = try input.reader.readBytes { Data($0) }
    }
}

// `ByteBuffer`'s own conformance writes a base64 string; HTTP bodies deserve raw bytes,
// and decoding to a slice of the payload copies nothing.
extension ByteBuffer: BinaryPayloadEncodable {
    public func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        output.writer.writeLengthPrefixed(self)
    }
}

extension ByteBuffer: BinaryPayloadDecodable {
    public init(binaryPayload input: inout BinaryPayloadInput) throws {
        self = try input.reader.readByteBufferSlice()
    }
}

extension Optional: BinaryPayloadBuiltIn {}
extension Array: BinaryPayloadBuiltIn {}
extension Dictionary: BinaryPayloadBuiltIn {}
extension Data: BinaryPayloadBuiltIn {}
extension ByteBuffer: BinaryPayloadBuiltIn {}
