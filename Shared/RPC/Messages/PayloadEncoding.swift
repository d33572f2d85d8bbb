public import NIOCore

/// How the payload of an RPC call is encoded. The frame carries `rawValue`, so that a
/// command-line client can send and receive JSON while services talk binary.
public enum PayloadEncoding: UInt8, Sendable, Hashable, CaseIterable {
    /// The tagged binary form described on ``WireFields``.
    case binary = 0
    /// The JSON form (see `WireJSON.swift`): for people and tools, not for the hot path.
    case json = 1

    /// Appends the encoding of `value` to `buffer`.
    @inlinable
    public func encode<Message: WireMessage>(_ value: Message, into buffer: inout ByteBuffer) throws {
        switch self {
        case .binary: try value.encodeWire(into: &buffer)
        case .json: try value.encodeJSON(into: &buffer)
        }
    }

    /// Decodes a message from all readable bytes of `buffer`, consuming them.
    @inlinable
    public func decode<Message: WireMessage>(_ type: Message.Type, from buffer: inout ByteBuffer) throws -> Message {
        switch self {
        case .binary: try Message(wire: &buffer)
        case .json: try Message(json: &buffer)
        }
    }
}
