package import NIOCore

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

    /// Turns `body` into the complete `ok` response frame for call `callID`: in place when it
    /// has its headroom (as every body from ``makeBody(capacity:)`` has) and is not shared,
    /// else by copying.
    package static func frame(_ body: inout ByteBuffer, callID: UInt32, flags: FrameFlags) {
        guard body.readerIndex >= headroom else {
            var frame = ByteBuffer()
            frame.reserveCapacity(headroom + body.readableBytes)
            frame.writeFrame(type: .response, flags: flags, callID: callID) { buffer in
                ResponseHead(status: .ok).write(to: &buffer)
                buffer.writeImmutableBuffer(body)
            }
            body = frame
            return
        }
        let start = body.readerIndex - headroom
        body.moveReaderIndex(to: start)
        body.setInteger(UInt32(body.readableBytes - Frame.lengthPrefixSize), at: start)
        body.setInteger(FrameType.response.rawValue, at: start + 4)
        body.setInteger(flags.rawValue, at: start + 5)
        body.setInteger(callID, at: start + 6)
        body.setInteger(RPCStatusCode.ok.rawValue, at: start + 10)
        body.setInteger(UInt16(0), at: start + 11)
    }
}
