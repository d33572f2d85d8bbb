public import NIOCore

/// Why a connection's byte stream was rejected. Each case closes only that connection.
public enum FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    case frameTooLarge(length: Int, limit: Int)
    case frameTooShort(length: Int)
    case unknownFrameType(UInt8)
    case malformedPayload(FrameType, String)
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .frameTooLarge(let length, let limit): "frame of \(length) bytes exceeds the limit of \(limit)"
        case .frameTooShort(let length): "frame length \(length) is shorter than a frame header"
        case .unknownFrameType(let type): "unknown frame type \(type)"
        case .malformedPayload(let type, let reason): "malformed \(type) frame: \(reason)"
        case .protocolViolation(let reason): "protocol violation: \(reason)"
        }
    }
}

/// Splits a byte stream into frames. A pure value type: it sees bytes, not sockets, so every
/// framing rule is unit-tested by feeding it buffers.
public struct FrameDecoder: Sendable {
    public let maximumFrameSize: Int

    public init(maximumFrameSize: Int) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Returns the next whole frame, `nil` when more bytes are needed, or throws when the
    /// stream can no longer be trusted. The limit is checked on the prefix, before waiting
    /// for (or allocating) the announced bytes.
    public func decodeFrame(from buffer: inout ByteBuffer) throws(FrameError) -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        let frameLength = Int(length)
        guard frameLength >= Frame.headerSize else { throw .frameTooShort(length: frameLength) }
        guard frameLength <= maximumFrameSize else {
            throw .frameTooLarge(length: frameLength, limit: maximumFrameSize)
        }
        guard buffer.readableBytes >= Frame.lengthPrefixSize + frameLength else { return nil }
        let typeIndex = buffer.readerIndex + Frame.lengthPrefixSize
        guard let rawType = buffer.getInteger(at: typeIndex, as: UInt8.self),
            let flags = buffer.getInteger(at: typeIndex + 1, as: UInt8.self),
            let callID = buffer.getInteger(at: typeIndex + 2, as: UInt32.self),
            let payload = buffer.getSlice(at: typeIndex + Frame.headerSize, length: frameLength - Frame.headerSize)
        else { return nil }
        guard let type = FrameType(rawValue: rawType) else { throw .unknownFrameType(rawType) }
        buffer.moveReaderIndex(forwardBy: Frame.lengthPrefixSize + frameLength)
        return Frame(type: type, flags: FrameFlags(rawValue: flags), callID: callID, payload: payload)
    }
}

extension FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = Frame

    public mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        try decodeFrame(from: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        try decodeFrame(from: &buffer)
    }
}
