public import NIOCore

/// What a ``WireMessage``'s `wireFields(_:)` runs against. The same list of `field` calls
/// encodes, decodes, writes or reads JSON and describes the message, depending on what the
/// format is doing with it; a model never sees which.
///
/// A field is required when its value is not optional and not an array, unless it says
/// `required: false`: then a peer that does not send it (an older one) leaves the value
/// ``WireMessage/init()`` gave it. An optional field absent on the wire is `nil`, a repeated
/// one `[]`.
///
/// # The binary form
///
/// The key/value encoding of protocol buffers: each present field is a varint key,
/// `tag << 3 | wire type`, then its value; fields appear in ascending tag order, a repeated
/// field as consecutive entries with one tag. Integers are varints (signed ones zigzag
/// encoded), `Bool` a varint 0 or 1, `Double` and timestamps (seconds since 2001-01-01 as a
/// `Double`) eight bytes little-endian, `Float` four; strings (UTF-8), bytes and nested
/// messages carry a varint byte count. A whole payload is one message without a count.
/// `protoc --decode_raw` reads it.
///
/// A reader skips fields with tags it does not know, keeps defaults for absent ones, and
/// refuses, naming the field: an absent required field, a known tag with another wire
/// type, tags out of order or repeated on a singular field, truncation, invalid UTF-8,
/// integers out of range, nesting deeper than ``WireLimits/maxDepth``.
public struct WireFields {
    @usableFromInline
    enum Mode: Sendable {
        case encode, decode, encodeJSON, decodeJSON, describe
    }

    @usableFromInline let mode: Mode
    /// Output when encoding (binary or JSON); when decoding binary, the payload `input` points
    /// into, kept for the slices bytes fields are read as.
    @usableFromInline var buffer: ByteBuffer
    /// Decoding binary: the payload's bytes (valid for the decode call, which runs inside
    /// `withUnsafeReadableBytes`: reads through a pointer cost a fraction of `ByteBuffer`'s
    /// checked ones), the offset of the next byte, and where the message being read ends.
    @usableFromInline var input = UnsafeRawBufferPointer(start: nil, count: 0)
    @usableFromInline var position = 0
    @usableFromInline var end: Int
    /// The last tag written or read in the current message: tags must ascend.
    @usableFromInline var lastTag: UInt32 = 0
    @usableFromInline var depth = 0
    @usableFromInline let limits: WireLimits
    /// Writing JSON: whether the object being written has a member yet (a comma is due).
    @usableFromInline var jsonHasMember = false
    /// Reading JSON: the members of the object being read, and the value being read.
    @usableFromInline var jsonObject: [String: JSONValue] = [:]
    @usableFromInline var jsonMembersRead = 0
    @usableFromInline var jsonValue: JSONValue = .null
    /// Describing: the fields of the message being described, and every type met so far.
    @usableFromInline var describedFields: [WireFieldSchema] = []
    @usableFromInline var describedMessages: [String: WireMessageSchema] = [:]
    @usableFromInline var describedEnums: [String: WireEnumSchema] = [:]
    /// Which type each described name stands for, to catch two types that print alike.
    @usableFromInline var describedTypes: [String: ObjectIdentifier] = [:]
    @usableFromInline var describedNameClashes: Set<String> = []

    @usableFromInline
    init(encodingInto buffer: ByteBuffer) {
        self.mode = .encode
        self.buffer = buffer
        self.end = 0
        self.limits = WireLimits()
    }

    @usableFromInline
    init(decoding input: UnsafeRawBufferPointer, of buffer: ByteBuffer, limits: WireLimits) {
        self.mode = .decode
        self.buffer = buffer
        self.input = input
        self.end = input.count
        self.limits = limits
    }

    init(writingJSONInto buffer: ByteBuffer) {
        self.mode = .encodeJSON
        self.buffer = buffer
        self.end = 0
        self.limits = WireLimits()
    }

    init(readingJSON value: JSONValue, limits: WireLimits) {
        self.mode = .decodeJSON
        self.buffer = ByteBuffer()
        self.end = 0
        self.limits = limits
        self.jsonValue = value
    }

    init(describing: Void) {
        self.mode = .describe
        self.buffer = ByteBuffer()
        self.end = 0
        self.limits = WireLimits()
    }

    /// Whether values are being written as JSON text rather than binary.
    @inlinable
    public var isWritingJSON: Bool { mode == .encodeJSON }

    // MARK: Fields

    /// A field holding one value: required unless `required` is false, in which case a
    /// peer that leaves it out leaves the value `init()` gave it.
    @inlinable
    public mutating func field<Value: WireValue>(_ tag: UInt32, _ name: StaticString, _ value: inout Value, required: Bool = true)
        throws
    {
        switch mode {
        case .encode:
            try checkAscending(tag)
            try Value.writeWireField(key: Self.key(tag, Value.wireType), value, to: &self)
        case .decode:
            if try seek(tag, Value.wireType) {
                do {
                    value = try Value.readWire(from: &self)
                } catch let error as WireFormatError {
                    throw error.inField(name)
                }
            } else if required {
                throw missingField(tag, name)
            }
        case .encodeJSON:
            writeJSONMemberName(name)
            try Value.writeWire(value, to: &self)
        case .decodeJSON:
            if try enterJSONMember(name, nullable: false) {
                value = try readJSONMember(Value.self, name)
            } else if required {
                throw missingField(tag, name)
            }
        case .describe:
            describeField(tag, name, Value.self, required ? .required : .defaulted)
        }
    }

    /// An optional field: absent on the wire (or `null` in JSON) is `nil`.
    @inlinable
    public mutating func field<Value: WireValue>(_ tag: UInt32, _ name: StaticString, _ value: inout Value?) throws {
        switch mode {
        case .encode:
            guard let present = value else { return }
            try checkAscending(tag)
            try Value.writeWireField(key: Self.key(tag, Value.wireType), present, to: &self)
        case .decode:
            if try seek(tag, Value.wireType) {
                do {
                    value = try Value.readWire(from: &self)
                } catch let error as WireFormatError {
                    throw error.inField(name)
                }
            } else {
                value = nil
            }
        case .encodeJSON:
            guard let present = value else { return }
            writeJSONMemberName(name)
            try Value.writeWire(present, to: &self)
        case .decodeJSON:
            value = try enterJSONMember(name, nullable: true) ? try readJSONMember(Value.self, name) : nil
        case .describe:
            describeField(tag, name, Value.self, .optional)
        }
    }

    /// A repeated field: consecutive entries with one tag; absent is `[]`.
    @inlinable
    public mutating func field<Value: WireValue>(_ tag: UInt32, _ name: StaticString, _ value: inout [Value]) throws {
        switch mode {
        case .encode:
            guard !value.isEmpty else { return }
            try checkAscending(tag)
            let key = Self.key(tag, Value.wireType)
            for element in value {
                try Value.writeWireField(key: key, element, to: &self)
            }
        case .decode:
            guard try seek(tag, Value.wireType) else {
                value = []
                return
            }
            var elements: [Value] = []
            do {
                repeat {
                    elements.append(try Value.readWire(from: &self))
                } while try nextEntryRepeats(tag, Value.wireType)
            } catch let error as WireFormatError {
                throw error.inField(name, index: elements.count)
            }
            value = elements
        case .encodeJSON:
            writeJSONMemberName(name)
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, element) in value.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                try Value.writeWire(element, to: &self)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .decodeJSON:
            value = try enterJSONMember(name, nullable: true) ? try readJSONArray(Value.self, name) : []
        case .describe:
            describeField(tag, name, Value.self, .repeated)
        }
    }

    // MARK: Binary writing

    @inlinable
    mutating func checkAscending(_ tag: UInt32) throws {
        guard tag > lastTag, tag <= WireLimits.maxTag else { throw WireFormatError.unorderedDeclaration(tag, after: lastTag) }
        lastTag = tag
    }

    @inlinable
    static func key(_ tag: UInt32, _ type: WireType) -> UInt64 {
        UInt64(tag) &<< 3 | UInt64(type.rawValue)
    }

    /// Writes a field's key and then up to `maximumValueBytes` through `body` in one reservation
    /// of the buffer: each `ByteBuffer` write costs a capacity and uniqueness check, and a
    /// field is mostly a key and a small value.
    @inlinable
    mutating func writeKeyAnd(
        _ key: UInt64, maximumValueBytes: Int, _ body: (UnsafeMutableRawBufferPointer, Int) -> Int
    ) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maxVarintLength + maximumValueBytes) { output in
            body(output, putVarint(key, into: output, at: 0))
        }
    }

    /// Writes a nested message behind its byte count, which is known only once the message is
    /// written (see ``writeNestedBody(_:countIndex:)``).
    @inlinable
    mutating func writeNestedMessage<Message: WireMessage>(_ message: Message) throws {
        if mode == .encodeJSON {
            try writeJSONObject(message)
            return
        }
        let countIndex = buffer.writerIndex
        buffer.writeInteger(UInt16(0))
        try writeNestedBody(message, countIndex: countIndex)
    }

    /// Writes `message` after the ``reservedCountLength`` bytes reserved at `countIndex` for
    /// its byte count, moves it when the count needs another length, and writes the count.
    @inlinable
    mutating func writeNestedBody<Message: WireMessage>(_ message: Message, countIndex: Int) throws {
        let outerTag = lastTag
        lastTag = 0
        var copy = message
        try copy.wireFields(&self)
        lastTag = outerTag
        let start = countIndex + reservedCountLength
        let length = buffer.writerIndex - start
        guard UInt64(length) <= maxNestedLength else { throw WireFormatError("a nested message of \(length) bytes is too large") }
        let countLength = varintLength(UInt64(length))
        if countLength != reservedCountLength {
            _ = try buffer.copyBytes(at: start, to: countIndex + countLength, length: length)
            buffer.moveWriterIndex(to: countIndex + countLength + length)
        }
        buffer.setVarint(UInt64(length), at: countIndex, length: countLength)
    }

    // MARK: Binary reading

    /// Moves to field `tag`, skipping unknown fields before it. False when it is absent.
    @inlinable
    mutating func seek(_ tag: UInt32, _ type: WireType) throws -> Bool {
        while position < end {
            let (key, keyLength) = try peekVarint()
            let keyTag = UInt32(truncatingIfNeeded: key &>> 3)
            guard key &>> 3 <= UInt64(WireLimits.maxTag), keyTag > 0 else { throw corrupted("field tag \(key >> 3) is out of range") }
            if keyTag > tag { return false }
            guard keyTag > lastTag else { throw corrupted("field \(keyTag) after field \(lastTag): fields out of order or repeated") }
            position += keyLength
            lastTag = keyTag
            let keyType = UInt8(truncatingIfNeeded: key & 7)
            if keyTag == tag {
                guard keyType == type.rawValue else {
                    throw corrupted("field \(tag) has wire type \(keyType), expected \(type.rawValue) (\(type))")
                }
                return true
            }
            try skipValue(keyType)
            try skipRepeatedEntries(of: keyTag)
        }
        return false
    }

    /// After an entry of a repeated field: whether another one with the same tag follows,
    /// in which case its key is consumed.
    @inlinable
    mutating func nextEntryRepeats(_ tag: UInt32, _ type: WireType) throws -> Bool {
        guard position < end else { return false }
        let (key, keyLength) = try peekVarint()
        guard key == UInt64(tag) &<< 3 | UInt64(type.rawValue) else {
            if key &>> 3 == UInt64(tag) { throw corrupted("field \(tag) has wire type \(key & 7), expected \(type.rawValue) (\(type))") }
            return false
        }
        position += keyLength
        return true
    }

    /// Ends the message being read: skips the unknown fields left in it.
    @usableFromInline
    mutating func finishMessage() throws {
        while position < end {
            let (key, keyLength) = try peekVarint()
            let keyTag = key &>> 3
            guard keyTag > UInt64(lastTag), keyTag <= UInt64(WireLimits.maxTag) else {
                throw corrupted("field \(keyTag) after field \(lastTag): fields out of order or repeated")
            }
            position += keyLength
            lastTag = UInt32(truncatingIfNeeded: keyTag)
            try skipValue(UInt8(truncatingIfNeeded: key & 7))
            try skipRepeatedEntries(of: lastTag)
        }
    }

    /// After an entry of a field this side does not know: skips the entries with the same tag
    /// that follow it, the rest of what may be a repeated field (a newer peer's), which the
    /// ascending-tag check would otherwise refuse.
    @usableFromInline
    mutating func skipRepeatedEntries(of tag: UInt32) throws {
        while position < end {
            let (key, keyLength) = try peekVarint()
            guard key &>> 3 == UInt64(tag) else { return }
            position += keyLength
            try skipValue(UInt8(truncatingIfNeeded: key & 7))
        }
    }

    @usableFromInline
    mutating func skipValue(_ type: UInt8) throws {
        switch WireType(rawValue: type) {
        case .varint: _ = try readVarint()
        case .fixed64: try skip(8)
        case .fixed32: try skip(4)
        case .lengthDelimited: try skip(try readLength())
        case nil: throw corrupted("unknown wire type \(type)")
        }
    }

    @usableFromInline
    mutating func skip(_ count: Int) throws {
        guard end - position >= count else { throw truncated(needing: count) }
        position += count
    }

    @inlinable
    mutating func readNestedMessage<Message: WireMessage>(_: Message.Type) throws -> Message {
        let length = try readLength()
        guard depth < limits.maxDepth else { throw corrupted("messages nested deeper than \(limits.maxDepth)") }
        let outerEnd = end
        let outerTag = lastTag
        end = position + length
        lastTag = 0
        depth += 1
        var message = Message()
        try message.wireFields(&self)
        try finishMessage()
        depth -= 1
        end = outerEnd
        lastTag = outerTag
        return message
    }

    /// The varint at the reader index and its length, without consuming it.
    @inlinable
    mutating func peekVarint() throws -> (UInt64, Int) {
        guard position < end else { throw truncated(needing: 1) }
        let first = input.load(fromByteOffset: position, as: UInt8.self)
        if first < 0x80 { return (UInt64(first), 1) }
        return try peekLongVarint()
    }

    @usableFromInline
    func peekLongVarint() throws -> (UInt64, Int) {
        let available = end - position
        let parsed = parseVarint(UnsafeRawBufferPointer(rebasing: input[position..<end]))
        switch parsed {
        case .value(let value, let length): return (value, length)
        case .truncated: throw truncated(needing: available + 1)
        case .tooLong: throw corrupted("varint longer than \(maxVarintLength) bytes or above UInt64.max")
        }
    }

    @inlinable
    public mutating func readVarint() throws -> UInt64 {
        let (value, length) = try peekVarint()
        position += length
        return value
    }

    /// A byte count, checked against the bytes left in the message.
    @inlinable
    public mutating func readLength() throws -> Int {
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw corrupted("length \(length) exceeds the \(end - position) bytes left")
        }
        return Int(length)
    }

    @inlinable
    mutating func readFixed<Integer: FixedWidthInteger>(_: Integer.Type) throws -> Integer {
        guard end - position >= MemoryLayout<Integer>.size else { throw truncated(needing: MemoryLayout<Integer>.size) }
        let value = Integer(littleEndian: input.loadUnaligned(fromByteOffset: position, as: Integer.self))
        position += MemoryLayout<Integer>.size
        return value
    }

    @usableFromInline
    func corrupted(_ problem: String) -> WireFormatError {
        WireFormatError("\(problem) at byte \(position)")
    }

    @usableFromInline
    func truncated(needing count: Int) -> WireFormatError {
        corrupted("truncated: \(count) more bytes needed, \(end - position) left")
    }

    @usableFromInline
    func missingField(_ tag: UInt32, _ name: StaticString) -> WireFormatError {
        WireFormatError("required field '\(name)' (\(tag)) is missing")
    }
}

/// Bounds on the work one payload may cause beyond those its size implies.
public struct WireLimits: Sendable, Hashable {
    /// How deeply messages may nest. Decoding recurses once per level, so this bounds the
    /// stack a payload built to exhaust it can take.
    public var maxDepth: Int

    /// The largest tag protocol buffers allow (2²⁹ − 1).
    public static let maxTag: UInt32 = (1 << 29) - 1

    public init(maxDepth: Int = 64) {
        self.maxDepth = maxDepth
    }
}

/// Bytes that are not a valid message of the expected type, or a model that cannot be
/// written; the description names the field and the byte offset.
public struct WireFormatError: Error, CustomStringConvertible, Sendable {
    /// Field names from the outermost message inwards.
    public private(set) var path: [String] = []
    public let problem: String

    public init(_ problem: String) {
        self.problem = problem
    }

    public var description: String {
        path.isEmpty ? problem : "\(path.joined(separator: ".")): \(problem)"
    }

    @usableFromInline
    func inField(_ name: StaticString, index: Int? = nil) -> WireFormatError {
        var error = self
        error.path.insert(index.map { "\(name)[\($0)]" } ?? "\(name)", at: 0)
        return error
    }

    @usableFromInline
    static func unorderedDeclaration(_ tag: UInt32, after previous: UInt32) -> WireFormatError {
        WireFormatError(
            "field \(tag) is written after field \(previous): fields must be listed once each, in ascending tag order, below 2^29")
    }
}
