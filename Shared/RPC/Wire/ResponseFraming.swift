import NIOCore

/// Lays out a successful response so its frame header is written in front of the encoded body
/// in place: the body is encoded after `headroom` spare bytes, which framing fills.
package enum ResponseFraming {
    /// Length prefix, frame header, and an `ok` response head (status and an empty message).
    package static let headroom = Frame.lengthPrefixSize + Frame.headerSize + 3

    /// An empty body with room for its frame in front.
    package static func makeBody(capacity: Int = 64) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(headroom + capacity)
        buffer.writeRepeatingByte(0, count: headroom)
        buffer.moveReaderIndex(forwardBy: headroom)
        return buffer
    }

    /// The complete `ok` response frame for call `callID`: in place when `body` has its
    /// headroom (as every body from ``makeBody(capacity:)`` has), else copied.
    package static func frame(_ body: ByteBuffer, callID: UInt32, flags: FrameFlags) -> ByteBuffer {
        guard body.readerIndex >= headroom else {
            var frame = ByteBuffer()
            frame.reserveCapacity(headroom + body.readableBytes)
            var body = body
            frame.writeFrame(type: .response, flags: flags, callID: callID) { buffer in
                ResponseHead(status: .ok).write(to: &buffer)
                buffer.writeBuffer(&body)
            }
            return frame
        }
        var frame = body
        let start = body.readerIndex - headroom
        frame.moveReaderIndex(to: start)
        frame.setInteger(UInt32(frame.readableBytes - Frame.lengthPrefixSize), at: start)
        frame.setInteger(FrameType.response.rawValue, at: start + 4)
        frame.setInteger(flags.rawValue, at: start + 5)
        frame.setInteger(callID, at: start + 6)
        frame.setInteger(RPCStatusCode.ok.rawValue, at: start + 10)
        frame.setInteger(UInt16(0), at: start + 11)
        return frame
    }
}
