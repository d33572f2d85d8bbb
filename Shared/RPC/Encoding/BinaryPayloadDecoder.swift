import NIOCore

/// Decodes `Decodable` values from the binary payload format described on
/// ``BinaryPayloadEncoder``, treating the bytes as hostile: malformed input throws a
/// `DecodingError`, it never traps, and no allocation is sized by an unchecked length.
public struct BinaryPayloadDecoder: Sendable {
    /// Bounds on the work a single payload may cause, beyond those implied by its size.
    public struct Limits: Sendable, Hashable {
        /// How many values may be nested inside one another. Each struct, array, optional
        /// and dictionary entry below the top level counts as one level. Decoding recurses
        /// once per level, so this bounds stack use against payloads built to exhaust it.
        public var maxDepth: Int

        public init(maxDepth: Int = 64) {
            self.maxDepth = maxDepth
        }

        public static let `default` = Limits()
    }

    public var limits: Limits

    /// For tests only: false decodes every type through `init(from:)`, ignoring
    /// hand-written ``BinaryPayloadDecodable`` conformances other than the format's own
    /// containers, so that a test can compare the fast path with the `Codable` decoding.
    package var usesHandWrittenCoding = true

    public init(limits: Limits = .default) {
        self.limits = limits
    }

    /// Decodes a `T` from all readable bytes of `buffer`.
    ///
    /// On success every readable byte has been consumed; bytes left after the value are an
    /// error. On failure the reader index of `buffer` is unchanged.
    public func decode<T: Decodable>(_ type: T.Type, from buffer: inout ByteBuffer) throws -> T {
        // Decoding only reads, so sharing the storage with the caller costs no copy.
        let reader = BinaryPayloadReader(buffer: buffer, limits: self.limits, usesHandWrittenCoding: self.usesHandWrittenCoding)
        let value: T
        do {
            value = try reader.decodeValue(T.self)
        } catch {
            throw reader.deferredError ?? error
        }
        if let deferredError = reader.deferredError {
            throw deferredError
        }
        guard reader.buffer.readableBytes == 0 else {
            throw reader.corrupted("\(reader.buffer.readableBytes) unexpected bytes after the value")
        }
        buffer.moveReaderIndex(to: reader.buffer.readerIndex)
        return value
    }
}

/// The `Decoder` handed to `init(from:)`; like the writer, one instance reads the whole
/// value tree front to back.
final class BinaryPayloadReader: Decoder, SingleValueDecodingContainer {
    // Every read goes through this property; runtime exclusivity checks on it cost more
    // than the reads. Accesses never overlap: the reader lives for one `decode` call on
    // one thread, and no closure passed to a buffer method touches the reader.
    @exclusivity(unchecked) var buffer: ByteBuffer
    private let limits: BinaryPayloadDecoder.Limits
    private let startIndex: Int
    private let usesHandWrittenCoding: Bool
    @exclusivity(unchecked) private var depth = 0

    /// An error found where the `Decodable` API gives no way to throw it (see `decodeNil()`).
    private(set) var deferredError: DecodingError?

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(buffer: ByteBuffer, limits: BinaryPayloadDecoder.Limits, usesHandWrittenCoding: Bool = true) {
        self.buffer = buffer
        self.limits = limits
        self.startIndex = buffer.readerIndex
        self.usesHandWrittenCoding = usesHandWrittenCoding
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        try self.enterNestedValue()
        defer { self.leaveNestedValue() }
        // The one cast per value, as in `BinaryPayloadWriter.encodeValue`.
        if let handWritten = T.self as? any BinaryPayloadDecodable.Type {
            return try self.decodeHandWritten(handWritten, as: T.self)
        }
        return try T(from: self)
    }

    private func decodeHandWritten<HandWritten: BinaryPayloadDecodable, T: Decodable>(
        _: HandWritten.Type,
        as _: T.Type
    ) throws -> T {
        if !self.usesHandWrittenCoding && !(HandWritten.self is any BinaryPayloadBuiltIn.Type) {
            return try T(from: self)
        }
        // `HandWritten` is `T` (see `BinaryPayloadWriter.encodeHandWritten`): the bit cast
        // only restates the type, where `as?` would be a second dynamic cast.
        assert(HandWritten.self == T.self)
        var input = BinaryPayloadInput(reader: self)
        return unsafeBitCast(try HandWritten(binaryPayload: &input), to: T.self)
    }

    /// Accounts for one more level of nesting, failing beyond the limit; every call is
    /// paired with `leaveNestedValue()`.
    func enterNestedValue() throws {
        guard self.depth < self.limits.maxDepth else {
            throw self.corrupted("values nested deeper than the limit of \(self.limits.maxDepth)")
        }
        self.depth += 1
    }

    func leaveNestedValue() {
        self.depth -= 1
    }

    // MARK: Reading

    /// An error describing what is wrong at the current read position (or `backtrack`
    /// bytes before it, for a byte that has already been consumed).
    func corrupted(_ problem: String, backtrack: Int = 0) -> DecodingError {
        let offset = self.buffer.readerIndex - backtrack - self.startIndex
        return .dataCorrupted(.init(codingPath: [], debugDescription: "\(problem) (payload byte offset \(offset))"))
    }

    private func truncated(needing count: Int) -> DecodingError {
        self.corrupted("payload truncated: \(count) more bytes needed, \(self.buffer.readableBytes) left")
    }

    func readByte() throws -> UInt8 {
        guard let byte = self.buffer.readInteger(as: UInt8.self) else {
            throw self.truncated(needing: 1)
        }
        return byte
    }

    func readFixedWidth<I: FixedWidthInteger>(_: I.Type) throws -> I {
        guard let value = self.buffer.readInteger(endianness: .little, as: I.self) else {
            throw self.truncated(needing: MemoryLayout<I>.size)
        }
        return value
    }

    func readVarint() throws -> UInt64 {
        // Most varints (small numbers, short lengths, counts) are one byte.
        if let byte = self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt8.self), byte < 0x80 {
            self.buffer.moveReaderIndex(forwardBy: 1)
            return UInt64(byte)
        }
        switch self.buffer.withUnsafeReadableBytes(parseVarint) {
        case .value(let value, let length):
            self.buffer.moveReaderIndex(forwardBy: length)
            return value
        case .truncated:
            throw self.truncated(needing: self.buffer.readableBytes + 1)
        case .tooLong:
            throw self.corrupted("varint longer than \(maxVarintLength) bytes or above UInt64.max")
        }
    }

    /// Reads a byte length or element count and checks it against the remaining input
    /// before anyone allocates according to it.
    func readLength() throws -> Int {
        let length = try self.readVarint()
        guard length <= UInt64(self.buffer.readableBytes) else {
            throw self.corrupted("length \(length) exceeds the \(self.buffer.readableBytes) bytes left")
        }
        return Int(length)
    }

    func readPresence() throws -> Bool {
        switch try self.readByte() {
        case 0: return false
        case 1: return true
        case let byte: throw self.corrupted("invalid presence byte \(byte), expected 0 or 1", backtrack: 1)
        }
    }

    func read<P: BinaryPayloadPrimitive>(_: P.Type) throws -> P {
        try P.read(from: self)
    }

    func readIfPresent<P: BinaryPayloadPrimitive>(_: P.Type) throws -> P? {
        try self.readPresence() ? P.read(from: self) : nil
    }

    func readBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        let length = try self.readLength()
        let result = try self.buffer.withUnsafeReadableBytes { try body(UnsafeRawBufferPointer(rebasing: $0.prefix(length))) }
        self.buffer.moveReaderIndex(forwardBy: length)
        return result
    }

    /// Reads length-prefixed bytes into an array (one copy).
    func readByteArray() throws -> [UInt8] {
        let length = try self.readLength()
        guard let bytes = self.buffer.readBytes(length: length) else {
            throw self.corrupted("\(length) bytes truncated")
        }
        return bytes
    }

    /// Reads length-prefixed bytes as a slice of the payload, copying nothing.
    func readByteBufferSlice() throws -> ByteBuffer {
        let length = try self.readLength()
        guard let slice = self.buffer.readSlice(length: length) else {
            throw self.corrupted("byte buffer of \(length) bytes truncated")
        }
        return slice
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(BinaryPayloadKeyedReader(reader: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try BinaryPayloadUnkeyedReader(reader: self)
    }

    func singleValueContainer() -> any SingleValueDecodingContainer {
        self
    }

    // MARK: SingleValueDecodingContainer

    /// Consumes a presence byte. This requirement cannot throw, so a bad byte is recorded
    /// in `deferredError` (which `decode` reports instead of whatever fails next) and the
    /// input is exhausted so that no further value can be decoded from garbage.
    func decodeNil() -> Bool {
        switch self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt8.self) {
        case 0:
            self.buffer.moveReaderIndex(forwardBy: 1)
            return true
        case 1:
            self.buffer.moveReaderIndex(forwardBy: 1)
            return false
        case let byte:
            let problem = byte.map { "invalid presence byte \($0), expected 0 or 1" } ?? "payload truncated before a presence byte"
            self.deferredError = self.deferredError ?? self.corrupted(problem)
            self.buffer.moveReaderIndex(to: self.buffer.writerIndex)
            return false
        }
    }

    func decode(_ type: Bool.Type) throws -> Bool { try self.read(type) }
    func decode(_ type: String.Type) throws -> String { try self.read(type) }
    func decode(_ type: Double.Type) throws -> Double { try self.read(type) }
    func decode(_ type: Float.Type) throws -> Float { try self.read(type) }
    func decode(_ type: Int.Type) throws -> Int { try self.read(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try self.read(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try self.read(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try self.read(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try self.read(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try self.read(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try self.read(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try self.read(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try self.read(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try self.read(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try self.decodeValue(type) }
}

struct BinaryPayloadKeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: BinaryPayloadReader

    var codingPath: [any CodingKey] { [] }

    // Keys are not on the wire; see the format's limitations.
    var allKeys: [Key] { [] }
    func contains(_ key: Key) -> Bool { true }

    func decodeNil(forKey key: Key) throws -> Bool { try !self.reader.readPresence() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try self.reader.read(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try self.reader.read(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try self.reader.read(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try self.reader.read(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try self.reader.read(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try self.reader.read(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try self.reader.read(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try self.reader.read(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try self.reader.read(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try self.reader.read(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try self.reader.read(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try self.reader.read(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try self.reader.read(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try self.reader.read(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try self.reader.decodeValue(type) }

    // The protocol's default `decodeIfPresent` asks `contains` and `decodeNil`; spelled
    // out so that the presence byte is read exactly where `encodeIfPresent` wrote it.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try self.reader.readIfPresent(type) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try self.reader.readIfPresent(type) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try self.reader.decodeValue(T?.self)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) -> KeyedDecodingContainer<NestedKey> {
        self.reader.container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try self.reader.unkeyedContainer()
    }

    func superDecoder() -> any Decoder { self.reader }
    func superDecoder(forKey key: Key) -> any Decoder { self.reader }
}

struct BinaryPayloadUnkeyedReader: UnkeyedDecodingContainer {
    let reader: BinaryPayloadReader
    private let elementCount: Int
    private(set) var currentIndex = 0

    var codingPath: [any CodingKey] { [] }
    var count: Int? { self.elementCount }
    var isAtEnd: Bool { self.currentIndex >= self.elementCount }

    init(reader: BinaryPayloadReader) throws {
        self.reader = reader
        self.elementCount = try reader.readLength()
    }

    /// Accounts for the next element, failing instead of reading past the count.
    private mutating func advance() throws {
        guard !self.isAtEnd else {
            throw self.reader.corrupted("read past the \(self.elementCount) elements of an unkeyed container")
        }
        self.currentIndex += 1
    }

    private mutating func next<P: BinaryPayloadPrimitive>(_ type: P.Type) throws -> P {
        try self.advance()
        return try self.reader.read(type)
    }

    /// Consumes the presence byte: a nil counts as the element, a present marker is
    /// followed by the element itself, which the next `decode` reads.
    mutating func decodeNil() throws -> Bool {
        guard !self.isAtEnd else {
            throw self.reader.corrupted("read past the \(self.elementCount) elements of an unkeyed container")
        }
        let isNil = try !self.reader.readPresence()
        if isNil {
            self.currentIndex += 1
        }
        return isNil
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try self.next(type) }
    mutating func decode(_ type: String.Type) throws -> String { try self.next(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try self.next(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try self.next(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try self.next(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try self.next(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try self.next(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try self.next(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try self.next(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try self.next(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try self.next(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try self.next(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try self.next(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try self.next(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try self.advance()
        return try self.reader.decodeValue(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try self.advance()
        return self.reader.container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try self.advance()
        return try self.reader.unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try self.advance()
        return self.reader
    }
}
