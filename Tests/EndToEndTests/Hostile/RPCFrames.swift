import AppServerProtocol
import MicropostsModels
import NIOCore
import RPC

/// The RPC wire format written and read by hand (docs/rpc.md, "Frames"), so a test can send
/// frames the RPC module would never produce and see exactly what comes back.
enum RPCFrames {
    static let helloType: UInt8 = 1
    static let requestType: UInt8 = 2
    static let responseType: UInt8 = 3
    static let cancelType: UInt8 = 4
    static let pingType: UInt8 = 5
    static let goAwayType: UInt8 = 7

    struct Frame {
        var type: UInt8
        var flags: UInt8
        var callID: UInt32
        var payload: [UInt8]
    }

    /// `length u32 | type u8 | flags u8 | call id u32 | payload`, big-endian.
    static func frame(type: UInt8, flags: UInt8 = 0, callID: UInt32, payload: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(6 + payload.count))
        buffer.writeInteger(type)
        buffer.writeInteger(flags)
        buffer.writeInteger(callID)
        buffer.writeBytes(payload)
        return Array(buffer.readableBytesView)
    }

    /// The client's first frame: magic `MRPC`, protocol version 3, a 32-byte nonce and no
    /// proof (these servers run without RPC_SECRET, so the handshake ends with their hello).
    static let hello = frame(type: helloType, callID: 0, payload: Array("MRPC".utf8) + [0, 3] + [UInt8](repeating: 0x42, count: 32) + [0])

    /// A request frame's payload: the head (method, timeout, metadata) then the binary body.
    static func requestPayload<Request: WireMessage>(_ method: String, _ request: Request) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try RequestHead(method: method, timeoutNanoseconds: 5_000_000_000, metadata: ["request-id": "hostile-rpc"]).write(to: &buffer)
        try PayloadEncoding.binary.encode(request, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// The complete frames in `bytes` (a trailing partial frame is ignored).
    static func frames(in bytes: [UInt8]) -> [Frame] {
        var buffer = ByteBuffer(bytes: bytes)
        var frames: [Frame] = []
        while let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self), length >= 6,
            buffer.readableBytes >= 4 + Int(length)
        {
            buffer.moveReaderIndex(forwardBy: 4)
            guard let type = buffer.readInteger(as: UInt8.self), let flags = buffer.readInteger(as: UInt8.self),
                let callID = buffer.readInteger(as: UInt32.self), let payload = buffer.readBytes(length: Int(length) - 6)
            else { break }
            frames.append(Frame(type: type, flags: flags, callID: callID, payload: payload))
        }
        return frames
    }

    /// The status byte of a response frame.
    static func status(of frame: Frame) -> RPCStatusCode? {
        frame.payload.first.flatMap(RPCStatusCode.init(rawValue:))
    }

    /// The body of an `ok` response (after `u8 status, u16 message length, message`).
    static func body(of frame: Frame) -> [UInt8]? {
        guard frame.payload.count >= 3 else { return nil }
        let messageLength = Int(frame.payload[1]) << 8 | Int(frame.payload[2])
        guard frame.payload.count >= 3 + messageLength else { return nil }
        return Array(frame.payload[(3 + messageLength)...])
    }

    /// The HTTP status inside a worker's `ok` answer to `worker.http`.
    static func envelopeStatus(of frame: Frame) -> Int? {
        guard let body = body(of: frame) else { return nil }
        var buffer = ByteBuffer(bytes: body)
        let encoding: PayloadEncoding = frame.flags & 1 == 1 ? .json : .binary
        return (try? encoding.decode(HTTPEnvelopeResponse.self, from: &buffer))?.status
    }
}
