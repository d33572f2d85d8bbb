public import NIOCore

/// A message carried in RPC payloads: a struct that lists its fields once, in
/// ``wireFields(_:)``, and gets from that one list its binary form, its JSON form and its
/// entry in the wire contract.
///
/// ```swift
/// public struct Note: WireMessage {
///     public var id: Int64 = 0
///     public var text = ""
///     public var tags: [String] = []
///     public var pinnedAt: Date?
///
///     public init() {}
///
///     public mutating func wireFields(_ fields: inout WireFields) throws {
///         try fields.field(1, "id", &id)
///         try fields.field(2, "text", &text)
///         try fields.field(3, "tags", &tags)
///         try fields.field(4, "pinnedAt", &pinnedAt)
///     }
/// }
/// ```
///
/// Each field has a tag that never changes and is never reused. List fields in ascending
/// tag order; a new field takes the next tag. What the wire sees, and so what may change
/// without breaking a peer of another version, is described in docs/rpc.md ("Evolving a
/// contract"); `WireContract` checks it.
public protocol WireMessage: WireValue {
    /// The value decoding starts from: every field not on the wire keeps what this gives it.
    /// A required field that is absent is an error, so its placeholder never escapes.
    init()

    /// Visits every field in ascending tag order, reading or writing it through `fields`.
    mutating func wireFields(_ fields: inout WireFields) throws
}

/// How a field's value is laid out after its key (the protocol-buffers wire types).
public enum WireType: UInt8, Sendable, Hashable {
    /// A LEB128 varint: integers (signed ones zigzag-encoded), booleans, enum numbers.
    case varint = 0
    /// Eight bytes, little-endian: `Double`, timestamps.
    case fixed64 = 1
    /// A varint byte count, then the bytes: strings, bytes, nested messages.
    case lengthDelimited = 2
    /// Four bytes, little-endian: `Float`.
    case fixed32 = 5
}

/// A type that can be the value of a message field: the built-in scalars, ``WireMessage``s
/// and ``WireEnum``s. A field of type `T?` is optional and `[T]` is repeated.
///
/// The requirements are the format's own plumbing; conform through ``WireMessage`` or
/// ``WireEnum``, which implement them.
public protocol WireValue: Sendable {
    /// The layout of the value on the wire.
    static var wireType: WireType { get }
    /// Writes the value (not its key) to a binary or JSON output.
    static func writeWire(_ value: Self, to fields: inout WireFields) throws
    /// Writes a binary field: `key`, then the value. The built-in types write both at once.
    static func writeWireField(key: UInt64, _ value: Self, to fields: inout WireFields) throws
    /// Reads the value (its key already read) from a binary input.
    static func readWire(from fields: inout WireFields) throws -> Self
    /// Reads the value from the JSON value the input is positioned on.
    static func readJSON(from fields: inout WireFields) throws -> Self
    /// The value's type in a contract; messages and enums record their own schema.
    static func wireValueType(in fields: inout WireFields) -> WireValueType
}

/// An enumeration carried as its number, which survives a peer that knows more cases: a
/// number this side does not know decodes to ``unknownCase``.
///
/// ```swift
/// public enum Visibility: Int32, WireEnum {
///     case unknown = 0, everyone = 1, followers = 2
///     public static var unknownCase: Visibility { .unknown }
/// }
/// ```
/// Appending a case is compatible; renumbering or removing one is not. JSON spells a case
/// by its name.
public protocol WireEnum: WireValue, CaseIterable, RawRepresentable where RawValue == Int32 {
    /// What a number or name this side does not know decodes to.
    static var unknownCase: Self { get }
}

extension WireMessage {
    /// Encodes the message as a whole payload (no length prefix), appending to `buffer`.
    @inlinable
    public func encodeWire(into buffer: inout ByteBuffer) throws {
        var fields = WireFields(encodingInto: buffer)
        buffer = ByteBuffer()  // `fields` holds the only reference, so writes do not copy
        defer { buffer = fields.buffer }
        var message = self
        try message.wireFields(&fields)
    }

    /// Decodes a whole payload: all readable bytes of `buffer`, which are consumed.
    @inlinable
    public init(wire buffer: inout ByteBuffer, limits: WireLimits = WireLimits()) throws {
        let payload = buffer
        self = try payload.withUnsafeReadableBytes { input in
            var fields = WireFields(decoding: input, of: payload, limits: limits)
            var message = Self()
            try message.wireFields(&fields)
            try fields.finishMessage()
            return message
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
    }

    /// The message's schema, with every message and enum it refers to.
    public static func wireSchema() -> WireSchema {
        var fields = WireFields(describing: ())
        let root = Self.wireValueType(in: &fields)
        return WireSchema(
            root: root, messages: fields.describedMessages, enums: fields.describedEnums, nameClashes: fields.describedNameClashes)
    }
}

// MARK: The format's own plumbing

extension WireValue {
    @inlinable
    public static func writeWireField(key: UInt64, _ value: Self, to fields: inout WireFields) throws {
        fields.buffer.writeVarint(key)
        try writeWire(value, to: &fields)
    }
}

extension WireMessage {
    @inlinable
    public static var wireType: WireType { .lengthDelimited }

    @inlinable
    public static func writeWire(_ value: Self, to fields: inout WireFields) throws {
        try fields.writeNestedMessage(value)
    }

    @inlinable
    public static func readWire(from fields: inout WireFields) throws -> Self {
        try fields.readNestedMessage(Self.self)
    }

    /// The key and the room reserved for the count in one write; the count is written once
    /// the message is.
    @inlinable
    public static func writeWireField(key: UInt64, _ value: Self, to fields: inout WireFields) throws {
        var countIndex = 0
        let start = fields.buffer.writerIndex
        fields.writeKeyAnd(key, maximumValueBytes: reservedCountLength) { output, index in
            countIndex = index
            return index + reservedCountLength
        }
        try fields.writeNestedBody(value, countIndex: start + countIndex)
    }

    public static func readJSON(from fields: inout WireFields) throws -> Self {
        try fields.readJSONMessage(Self.self)
    }

    public static func wireValueType(in fields: inout WireFields) -> WireValueType {
        fields.describeMessage(Self.self)
    }
}

extension WireEnum {
    @inlinable
    public static var wireType: WireType { .varint }

    @inlinable
    public static func writeWire(_ value: Self, to fields: inout WireFields) throws {
        if fields.isWritingJSON {
            fields.writeJSONString(String(describing: value))
        } else {
            try Int32.writeWire(value.rawValue, to: &fields)
        }
    }

    @inlinable
    public static func readWire(from fields: inout WireFields) throws -> Self {
        Self(rawValue: try Int32.readWire(from: &fields)) ?? Self.unknownCase
    }

    public static func readJSON(from fields: inout WireFields) throws -> Self {
        try fields.readJSONEnum(Self.self)
    }

    public static func wireValueType(in fields: inout WireFields) -> WireValueType {
        fields.describeEnum(Self.self)
    }
}
