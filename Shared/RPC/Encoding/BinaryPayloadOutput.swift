import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a ``BinaryPayloadEncodable`` type writes its binary payload form.
///
/// Each `write` appends what the matching `Encoder` call appends, so a conformance mirrors
/// its `encode(to:)` line by line: `encode(_:forKey:)` becomes `write(_:)`,
/// `encodeIfPresent(_:forKey:)` becomes `writeIfPresent(_:)`. Only the encoder creates an
/// output, and it cannot be copied, so it cannot outlive the `encodeBinaryPayload(to:)`
/// call it is handed to.
public struct BinaryPayloadOutput: ~Copyable {
    let writer: BinaryPayloadWriter

    init(writer: BinaryPayloadWriter) {
        self.writer = writer
    }

    // MARK: Scalars, as `encode(_:forKey:)` writes them

    public mutating func write(_ value: Bool) { value.write(to: self.writer) }
    public mutating func write(_ value: String) { value.write(to: self.writer) }
    public mutating func write(_ value: Double) { value.write(to: self.writer) }
    public mutating func write(_ value: Float) { value.write(to: self.writer) }
    public mutating func write(_ value: Int) { value.write(to: self.writer) }
    public mutating func write(_ value: Int8) { value.write(to: self.writer) }
    public mutating func write(_ value: Int16) { value.write(to: self.writer) }
    public mutating func write(_ value: Int32) { value.write(to: self.writer) }
    public mutating func write(_ value: Int64) { value.write(to: self.writer) }
    public mutating func write(_ value: UInt) { value.write(to: self.writer) }
    public mutating func write(_ value: UInt8) { value.write(to: self.writer) }
    public mutating func write(_ value: UInt16) { value.write(to: self.writer) }
    public mutating func write(_ value: UInt32) { value.write(to: self.writer) }
    public mutating func write(_ value: UInt64) { value.write(to: self.writer) }
    /// What `Date`'s `Codable` conformance writes: `timeIntervalSinceReferenceDate`.
    public mutating func write(_ value: Date) { value.timeIntervalSinceReferenceDate.write(to: self.writer) }

    // MARK: Optional scalars, as `encodeIfPresent(_:forKey:)` writes them

    public mutating func writeIfPresent(_ value: Bool?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: String?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: Double?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: Float?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: Int?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: Int8?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: Int16?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: Int32?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: Int64?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: UInt?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: UInt8?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: UInt16?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: UInt32?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: UInt64?) { self.writer.writeIfPresent(value) }
    public mutating func writeIfPresent(_ value: Date?) { self.writer.writeIfPresent(value?.timeIntervalSinceReferenceDate) }

    // MARK: Collections and bytes

    /// Writes the element count that precedes an array's elements. Every element written
    /// after it must take at least one byte: a reader bounds counts by the bytes left.
    public mutating func writeCount(_ count: Int) {
        precondition(count >= 0, "a collection count cannot be negative")
        self.writer.buffer.writeVarint(UInt64(count))
    }

    /// Writes an array of hand-written elements exactly as `Array`'s encoding does, calling
    /// each element's `encodeBinaryPayload(to:)` directly instead of casting it.
    public mutating func writeArray<Element: BinaryPayloadEncodable>(_ elements: [Element]) throws {
        self.writeCount(elements.count)
        for element in elements {
            let start = self.writer.buffer.writerIndex
            try element.encodeBinaryPayload(to: &self)
            try self.writer.checkElementWritten(element, from: start)
        }
    }

    /// Writes bytes as a `[UInt8]`, `Data` or `ByteBuffer` value: byte count, then the bytes.
    public mutating func writeBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { self.writer.writeLengthPrefixed($0) }
    }

    /// Writes bytes as a `[UInt8]`, `Data` or `ByteBuffer` value: byte count, then the bytes.
    public mutating func writeBytes(_ bytes: ByteBuffer) {
        self.writer.writeLengthPrefixed(bytes)
    }

    // MARK: Nested values, as `encode(_:forKey:)` and `encodeIfPresent(_:forKey:)` write them

    /// Writes any value through the encoder, as a nested `encode(_:forKey:)` would.
    public mutating func write<T: Encodable>(_ value: T) throws {
        try self.writer.encodeValue(value)
    }

    /// Writes a hand-written value directly, without the cast the encoder makes to find out.
    public mutating func write<T: BinaryPayloadEncodable>(_ value: T) throws {
        try value.encodeBinaryPayload(to: &self)
    }

    /// Writes a presence byte and, if `value` is not nil, the value through the encoder.
    public mutating func writeIfPresent<T: Encodable>(_ value: T?) throws {
        try value.encodeBinaryPayload(to: &self)
    }

    /// Writes a presence byte and, if `value` is not nil, the hand-written value directly.
    public mutating func writeIfPresent<T: BinaryPayloadEncodable>(_ value: T?) throws {
        guard let value else {
            self.writer.writePresence(false)
            return
        }
        self.writer.writePresence(true)
        try value.encodeBinaryPayload(to: &self)
    }
}
