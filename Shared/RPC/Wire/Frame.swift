public import NIOCore

/// One unit on the wire.
///
/// ```
/// +-----------------+---------+----------+------------------+------------------
/// | length: UInt32  | type: 8 | flags: 8 | call id: UInt32  | payload …
/// +-----------------+---------+----------+------------------+------------------
/// ```
/// `length` counts everything after itself (so it is at least `Frame.headerSize`); all
/// integers are big-endian. Call id 0 is the connection itself (hello, authenticate, ping,
/// pong, goAway).
public struct Frame: Sendable, Equatable {
    public static let headerSize = 6
    public static let lengthPrefixSize = 4

    public var type: FrameType
    public var flags: FrameFlags
    public var callID: UInt32
    /// A slice of the bytes read from the socket; never copied on the read path.
    public var payload: ByteBuffer

    public init(type: FrameType, flags: FrameFlags = [], callID: UInt32, payload: ByteBuffer) {
        self.type = type
        self.flags = flags
        self.callID = callID
        self.payload = payload
    }
}

public enum FrameType: UInt8, Sendable, CaseIterable {
    /// First frame in each direction: magic and protocol version.
    case hello = 1
    /// Client → server: starts call `callID`.
    case request = 2
    /// Server → client: ends call `callID` with a status (and a body when ok).
    case response = 3
    /// Client → server: the caller gave up on `callID`.
    case cancel = 4
    /// Keepalive probe and its answer, carrying 8 opaque bytes back.
    case ping = 5
    case pong = 6
    /// Server → client: no new calls on this connection; calls above `lastCallID` were not run.
    case goAway = 7
    /// Client → server, right after the server's hello when it carried a proof: the client's
    /// proof (32 bytes) that it knows the shared secret.
    case authenticate = 8
    /// Server → client, once the connection is established (after the hello, or after a valid
    /// authenticate frame): the methods this server serves, a ``MethodCatalog``. The client
    /// takes calls only once it has it, and sends each only where it is served.
    case catalog = 9
}

public struct FrameFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The body is JSON rather than the compact binary encoding (request and response).
    public static let jsonPayload = FrameFlags(rawValue: 1 << 0)
    /// On a response: the server never started the handler, so retrying is always safe.
    public static let notProcessed = FrameFlags(rawValue: 1 << 1)
}

extension ByteBuffer {
    /// Writes a complete frame: length prefix, header, then `payloadLength` bytes that
    /// `writePayload` appends. Encoding in place avoids building the payload separately.
    @inlinable
    mutating func writeFrame(
        type: FrameType,
        flags: FrameFlags = [],
        callID: UInt32,
        _ writePayload: (inout ByteBuffer) throws -> Void = { _ in }
    ) rethrows {
        let start = writerIndex
        writeInteger(UInt32(0))
        writeInteger(type.rawValue)
        writeInteger(flags.rawValue)
        writeInteger(callID)
        try writePayload(&self)
        let length = UInt32(writerIndex - start - Frame.lengthPrefixSize)
        setInteger(length, at: start)
    }

    @inlinable
    mutating func writeFrame(_ frame: Frame) {
        var payload = frame.payload
        writeFrame(type: frame.type, flags: frame.flags, callID: frame.callID) { $0.writeBuffer(&payload) }
    }
}
