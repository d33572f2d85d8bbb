import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a ``BinaryPayloadDecodable`` type reads its binary payload form.
///
/// Each `read` consumes what the matching `Decoder` call consumes and makes the same checks,
/// throwing `DecodingError.dataCorrupted` (naming the byte offset) for truncated input, an
/// integer out of range, a `Bool` or presence byte other than 0 or 1, invalid UTF-8, a count
/// beyond the bytes left, or nesting beyond the decoder's depth limit. Only the decoder
/// creates an input, and it cannot be copied, so it cannot outlive the
/// `init(binaryPayload:)` call it is handed to.
public struct BinaryPayloadInput: ~Copyable {
    let reader: BinaryPayloadReader

    init(reader: BinaryPayloadReader) {
        self.reader = reader
    }

    // MARK: Scalars, as `decode(_:forKey:)` reads them

    public mutating func read(_ type: Bool.Type) throws -> Bool { try self.reader.read(type) }
    public mutating func read(_ type: String.Type) throws -> String { try self.reader.read(type) }
    public mutating func read(_ type: Double.Type) throws -> Double { try self.reader.read(type) }
    public mutating func read(_ type: Float.Type) throws -> Float { try self.reader.read(type) }
    public mutating func read(_ type: Int.Type) throws -> Int { try self.reader.read(type) }
    public mutating func read(_ type: Int8.Type) throws -> Int8 { try self.reader.read(type) }
    public mutating func read(_ type: Int16.Type) throws -> Int16 { try self.reader.read(type) }
    public mutating func read(_ type: Int32.Type) throws -> Int32 { try self.reader.read(type) }
    public mutating func read(_ type: Int64.Type) throws -> Int64 { try self.reader.read(type) }
    public mutating func read(_ type: UInt.Type) throws -> UInt { try self.reader.read(type) }
    public mutating func read(_ type: UInt8.Type) throws -> UInt8 { try self.reader.read(type) }
    public mutating func read(_ type: UInt16.Type) throws -> UInt16 { try self.reader.read(type) }
    public mutating func read(_ type: UInt32.Type) throws -> UInt32 { try self.reader.read(type) }
    public mutating func read(_ type: UInt64.Type) throws -> UInt64 { try self.reader.read(type) }
    /// What `Date`'s `Codable` conformance reads: `timeIntervalSinceReferenceDate`.
    public mutating func read(_ type: Date.Type) throws -> Date {
        Date(timeIntervalSinceReferenceDate: try self.reader.read(Double.self))
    }

    // MARK: Optional scalars, as `decodeIfPresent(_:forKey:)` reads them

    public mutating func readIfPresent(_ type: Bool.Type) throws -> Bool? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: String.Type) throws -> String? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: Double.Type) throws -> Double? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: Float.Type) throws -> Float? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: Int.Type) throws -> Int? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: Int8.Type) throws -> Int8? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: Int16.Type) throws -> Int16? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: Int32.Type) throws -> Int32? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: Int64.Type) throws -> Int64? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: UInt.Type) throws -> UInt? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: UInt8.Type) throws -> UInt8? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: UInt16.Type) throws -> UInt16? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: UInt32.Type) throws -> UInt32? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: UInt64.Type) throws -> UInt64? { try self.reader.readIfPresent(type) }
    public mutating func readIfPresent(_ type: Date.Type) throws -> Date? {
        try self.reader.readIfPresent(Double.self).map(Date.init(timeIntervalSinceReferenceDate:))
    }

    // MARK: Collections and bytes

    /// Reads the element count that precedes an array's elements. It is at most the number
    /// of bytes left (every element takes at least one), so it is safe to loop over, but
    /// reserve capacity for it only up to a sane bound: an element can take one byte on the
    /// wire and far more in memory.
    public mutating func readCount() throws -> Int {
        try self.reader.readLength()
    }

    /// Reads an array of hand-written elements exactly as `Array`'s decoding does, calling
    /// each element's `init(binaryPayload:)` directly instead of casting its type. Like the
    /// generic path, the array and each element count as one level of nesting.
    public mutating func readArray<Element: BinaryPayloadDecodable>(of type: Element.Type) throws -> [Element] {
        try self.reader.enterNestedValue()
        defer { self.reader.leaveNestedValue() }
        let count = try self.reader.readLength()
        var elements: [Element] = []
        elements.reserveCapacity(min(count, maxReservedElements))
        for _ in 0..<count {
            elements.append(try self.read(Element.self))
        }
        return elements
    }

    /// Reads bytes written as a `[UInt8]`, `Data` or `ByteBuffer` value.
    public mutating func readBytes() throws -> [UInt8] {
        try self.reader.readByteArray()
    }

    /// Reads bytes written as a `[UInt8]`, `Data` or `ByteBuffer` value, as a slice of the
    /// payload: nothing is copied.
    public mutating func readByteBuffer() throws -> ByteBuffer {
        try self.reader.readByteBufferSlice()
    }

    // MARK: Nested values, as `decode(_:forKey:)` and `decodeIfPresent(_:forKey:)` read them

    /// Reads any value through the decoder, as a nested `decode(_:forKey:)` would.
    public mutating func read<T: Decodable>(_ type: T.Type) throws -> T {
        try self.reader.decodeValue(type)
    }

    /// Reads a hand-written value directly, without the cast the decoder makes to find out.
    /// It counts as one level of nesting, as it would through the decoder.
    public mutating func read<T: BinaryPayloadDecodable>(_ type: T.Type) throws -> T {
        try self.reader.enterNestedValue()
        defer { self.reader.leaveNestedValue() }
        return try T(binaryPayload: &self)
    }

    /// Reads a presence byte and, if it says so, the value through the decoder.
    public mutating func readIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        try self.read(T?.self)
    }

    /// Reads a presence byte and, if it says so, the hand-written value directly. The
    /// optional and the value count as one level of nesting each, as through the decoder.
    public mutating func readIfPresent<T: BinaryPayloadDecodable>(_ type: T.Type) throws -> T? {
        try self.reader.enterNestedValue()
        defer { self.reader.leaveNestedValue() }
        return try self.reader.readPresence() ? self.read(T.self) : nil
    }

    // MARK: Errors

    /// An error for input that parses but makes no sense (say, an unknown raw value),
    /// naming the current byte offset as the decoder's own errors do.
    public func dataCorruptedError(_ description: String) -> DecodingError {
        self.reader.corrupted(description)
    }
}
