import NIOCore

/// Encodes `Codable` values in the compact binary payload format of the internal RPC.
///
/// # Binary payload format, version 1
///
/// The format is positional: nothing in the bytes names a field or a type. The decoder
/// relies on a type's `init(from:)` asking for values in exactly the order its
/// `encode(to:)` wrote them, which synthesized `Codable` conformances do.
///
/// | Value | Bytes |
/// |---|---|
/// | `UInt8` … `UInt64`, `UInt` | LEB128 varint: 7 bits per byte, least significant group first, high bit set on all but the last byte (1–10 bytes) |
/// | `Int8` … `Int64`, `Int` | zigzag (0, -1, 1, -2 … → 0, 1, 2, 3 …), then LEB128 varint |
/// | `Bool` | one byte, `0x00` or `0x01` |
/// | `Float`, `Double` | IEEE 754 bit pattern, 4 or 8 bytes little-endian |
/// | `String` | varint byte count, then that many bytes of UTF-8 |
/// | `[UInt8]`, `Data`, `ByteBuffer` | varint byte count, then the bytes |
/// | `Date` | what its `Codable` conformance writes: `timeIntervalSinceReferenceDate` as a `Double` |
/// | optional (`encodeIfPresent`, `encodeNil`, `Optional` anywhere) | presence byte: `0x00` for nil, or `0x01` followed by the value |
/// | keyed container (struct, class, nested keyed container) | its values in encoding order: no keys, no count, no terminator |
/// | `Array` | varint element count, then the elements |
/// | `Dictionary` | varint entry count, then key, value, key, value … |
/// | any other unkeyed container (`Set`, hand-written) | element count as a varint padded to exactly 5 bytes (`0x80\|b0, 0x80\|b1, 0x80\|b2, 0x80\|b3, b4`, patched as elements are appended), then the elements |
/// | single-value container (enums with raw values, wrappers) | the value alone |
/// | `superEncoder()` | inline, like a nested container |
///
/// ## Hand-written fast path
///
/// Generic `Codable` costs a container box, metadata lookups and dynamic casts per value.
/// A hot type can skip them by also conforming to ``BinaryPayloadEncodable`` and
/// ``BinaryPayloadDecodable``, writing and reading its values itself through
/// ``BinaryPayloadOutput`` and ``BinaryPayloadInput``; the encoder and decoder find the
/// conformance with the one metatype cast per value they make anyway. This is not a second
/// format: a hand-written conformance must produce (and accept) exactly the bytes of the
/// type's `Codable` conformance in the table above, since nothing on the wire says which
/// side wrote them and a peer may decode through `init(from:)`. Test it against them.
///
/// A decoder rejects (throws `DecodingError.dataCorrupted`, naming the byte offset) input
/// that is truncated; a varint longer than 10 bytes or above `UInt64.max`; an integer
/// that does not fit the requested type; a `Bool` or presence byte other than 0 or 1; a
/// string that is not valid UTF-8; a length or count larger than the bytes that remain
/// (every collection element occupies at least one byte); values nested deeper than
/// ``BinaryPayloadDecoder/Limits/maxDepth``; duplicate dictionary keys; and bytes left
/// over after the top-level value. Varints need not be in their shortest form.
///
/// Limitations, by design:
/// - Both sides must use the same type definitions. Adding, removing or reordering a
///   stored property is an incompatible change (there are no field tags), so evolve an
///   RPC method by adding a new one.
/// - Only types whose `encode(to:)` and `init(from:)` make the same calls in the same
///   order are supported: synthesized conformances of structs, classes and enums with raw
///   values, and hand-written code that mirrors itself. In particular enums with
///   associated values (whose synthesized decoding looks up `allKeys`) and decoding code
///   that probes `contains(_:)` or `allKeys` do not work: `allKeys` is always empty and
///   `contains(_:)` always true. `decodeNil` consumes the presence byte whatever it says,
///   so pair it with `encodeNil`/`encodeIfPresent`, not with a plain `encode`.
/// - Collection elements must encode to at least one byte; an array of a type with no
///   stored properties fails to encode rather than produce bytes the decoder rejects.
/// - `Int128`/`UInt128` are not supported. Coding paths are not tracked (they would cost
///   an allocation per value); errors report the byte offset instead.
public struct BinaryPayloadEncoder: Sendable {
    /// For tests only: false encodes every type through `encode(to:)`, ignoring
    /// hand-written ``BinaryPayloadEncodable`` conformances other than the format's own
    /// containers, so that a test can compare the fast path with the `Codable` bytes.
    package var usesHandWrittenCoding = true

    public init() {}

    /// Appends the encoding of `value` to `buffer`.
    ///
    /// If encoding throws, the bytes written so far are discarded: `buffer` keeps its
    /// original writer index.
    public func encode<T: Encodable>(_ value: T, into buffer: inout ByteBuffer) throws {
        let writer = BinaryPayloadWriter(usesHandWrittenCoding: self.usesHandWrittenCoding)
        // Move the caller's buffer into the writer instead of copying the reference: two
        // references would make the first write copy the whole storage (copy-on-write).
        swap(&buffer, &writer.buffer)
        defer { swap(&buffer, &writer.buffer) }
        let start = writer.buffer.writerIndex
        do {
            try writer.encodeValue(value)
        } catch {
            writer.buffer.moveWriterIndex(to: start)
            throw error
        }
    }
}

/// The `Encoder` handed to `encode(to:)`. One instance serves the whole value tree:
/// since the format is positional, a nested value is simply written at the current end.
final class BinaryPayloadWriter: Encoder, SingleValueEncodingContainer {
    // Every write goes through this property; runtime exclusivity checks on it cost more
    // than the writes. Accesses never overlap: the writer lives for one `encode` call on
    // one thread, and no closure passed to a buffer method touches the writer.
    @exclusivity(unchecked) var buffer = ByteBuffer()
    private let usesHandWrittenCoding: Bool

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(usesHandWrittenCoding: Bool = true) {
        self.usesHandWrittenCoding = usesHandWrittenCoding
    }

    func encodeValue<T: Encodable>(_ value: T) throws {
        // The one cast per value. A metatype cast, rather than casting the value, so that
        // large values are not boxed into an existential just to find out they are not
        // hand-written.
        if let handWritten = T.self as? any BinaryPayloadEncodable.Type {
            try self.encodeHandWritten(value, as: handWritten)
        } else {
            try value.encode(to: self)
        }
    }

    private func encodeHandWritten<HandWritten: BinaryPayloadEncodable, T: Encodable>(
        _ value: T,
        as _: HandWritten.Type
    ) throws {
        if !self.usesHandWrittenCoding && !(HandWritten.self is any BinaryPayloadBuiltIn.Type) {
            try value.encode(to: self)
            return
        }
        // The metatype cast succeeded on `T.self`, so the opened `HandWritten` is `T`
        // itself: reinterpreting the value only restates its type, where `as?` would be a
        // second dynamic cast per value.
        assert(HandWritten.self == T.self)
        var output = BinaryPayloadOutput(writer: self)
        try unsafeBitCast(value, to: HandWritten.self).encodeBinaryPayload(to: &output)
    }

    /// Encodes one element of a collection, refusing elements that write nothing: the
    /// decoder bounds counts by the bytes that remain, so such elements would not decode.
    func encodeElement<T: Encodable>(_ element: T) throws {
        let start = self.buffer.writerIndex
        try self.encodeValue(element)
        try self.checkElementWritten(element, from: start)
    }

    /// Throws unless the element just written from `start` on took at least one byte.
    func checkElementWritten<T: Encodable>(_ element: T, from start: Int) throws {
        guard self.buffer.writerIndex > start else {
            throw EncodingError.invalidValue(
                element,
                .init(codingPath: [], debugDescription: "\(T.self) encodes to zero bytes and cannot be a collection element")
            )
        }
    }

    func writePresence(_ isPresent: Bool) {
        self.buffer.writeInteger(isPresent ? 1 : 0, as: UInt8.self)
    }

    func writeIfPresent<P: BinaryPayloadPrimitive>(_ value: P?) {
        guard let value else {
            self.writePresence(false)
            return
        }
        self.writePresence(true)
        value.write(to: self)
    }

    func writeLengthPrefixed(_ bytes: UnsafeRawBufferPointer) {
        self.buffer.writeVarint(UInt64(bytes.count))
        self.buffer.writeBytes(bytes)
    }

    func writeLengthPrefixed(_ bytes: ByteBuffer) {
        self.buffer.writeVarint(UInt64(bytes.readableBytes))
        self.buffer.writeImmutableBuffer(bytes)
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(BinaryPayloadKeyedWriter(writer: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        BinaryPayloadUnkeyedWriter(writer: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        self
    }

    // MARK: SingleValueEncodingContainer

    func encodeNil() { self.writePresence(false) }
    func encode(_ value: Bool) { value.write(to: self) }
    func encode(_ value: String) { value.write(to: self) }
    func encode(_ value: Double) { value.write(to: self) }
    func encode(_ value: Float) { value.write(to: self) }
    func encode(_ value: Int) { value.write(to: self) }
    func encode(_ value: Int8) { value.write(to: self) }
    func encode(_ value: Int16) { value.write(to: self) }
    func encode(_ value: Int32) { value.write(to: self) }
    func encode(_ value: Int64) { value.write(to: self) }
    func encode(_ value: UInt) { value.write(to: self) }
    func encode(_ value: UInt8) { value.write(to: self) }
    func encode(_ value: UInt16) { value.write(to: self) }
    func encode(_ value: UInt32) { value.write(to: self) }
    func encode(_ value: UInt64) { value.write(to: self) }
    func encode<T: Encodable>(_ value: T) throws { try self.encodeValue(value) }
}

struct BinaryPayloadKeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: BinaryPayloadWriter

    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) { self.writer.writePresence(false) }
    mutating func encode(_ value: Bool, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: String, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: Double, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: Float, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: Int, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: Int8, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: Int16, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: Int32, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: Int64, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: UInt, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: UInt8, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: UInt16, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: UInt32, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode(_ value: UInt64, forKey key: Key) { value.write(to: self.writer) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try self.writer.encodeValue(value) }

    // The protocol's default `encodeIfPresent` skips nil entirely, which a positional
    // format cannot afford: the decoder would read the next field in its place.
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) { self.writer.writeIfPresent(value) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        try self.writer.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        self.writer.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        self.writer.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { self.writer }
    mutating func superEncoder(forKey key: Key) -> any Encoder { self.writer }
}

/// An unkeyed container whose element count is not known up front (anything but `Array`
/// and `Dictionary`, which are written directly): it reserves a padded varint for the
/// count and patches it after every element, because containers get no "finished" call.
struct BinaryPayloadUnkeyedWriter: UnkeyedEncodingContainer {
    let writer: BinaryPayloadWriter
    private let countIndex: Int
    private(set) var count = 0

    var codingPath: [any CodingKey] { [] }

    init(writer: BinaryPayloadWriter) {
        self.writer = writer
        self.countIndex = writer.buffer.writerIndex
        writer.buffer.writeRepeatingByte(0, count: paddedVarintLength)
        writer.buffer.setPaddedVarint(0, at: self.countIndex)
    }

    private mutating func append<P: BinaryPayloadPrimitive>(_ value: P) {
        value.write(to: self.writer)
        self.elementAppended()
    }

    // No overflow check: every element takes at least one byte and a ByteBuffer holds at
    // most 4 GiB, far below the 2^35 a padded count can express.
    private mutating func elementAppended() {
        self.count += 1
        self.writer.buffer.setPaddedVarint(UInt64(self.count), at: self.countIndex)
    }

    mutating func encodeNil() {
        self.writer.writePresence(false)
        self.elementAppended()
    }
    mutating func encode(_ value: Bool) { self.append(value) }
    mutating func encode(_ value: String) { self.append(value) }
    mutating func encode(_ value: Double) { self.append(value) }
    mutating func encode(_ value: Float) { self.append(value) }
    mutating func encode(_ value: Int) { self.append(value) }
    mutating func encode(_ value: Int8) { self.append(value) }
    mutating func encode(_ value: Int16) { self.append(value) }
    mutating func encode(_ value: Int32) { self.append(value) }
    mutating func encode(_ value: Int64) { self.append(value) }
    mutating func encode(_ value: UInt) { self.append(value) }
    mutating func encode(_ value: UInt8) { self.append(value) }
    mutating func encode(_ value: UInt16) { self.append(value) }
    mutating func encode(_ value: UInt32) { self.append(value) }
    mutating func encode(_ value: UInt64) { self.append(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try self.writer.encodeElement(value)
        self.elementAppended()
    }

    // Nested containers and super encoders count as one element each and are written
    // inline; their contents follow the elements encoded before them.
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        self.elementAppended()
        return self.writer.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        self.elementAppended()
        return self.writer.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        self.elementAppended()
        return self.writer
    }
}
