import NIOCore
import NIOHTTP1

/// Encodes the edge's HTTP/1.1 responses in place of NIO's `HTTPResponseEncoder`, and hands
/// a response's head and a small body to the channel as one buffer.
///
/// The edge frames every response itself (`Content-Length`, or none for 1xx, 204 and 304; it
/// never sends chunked), and ``HTTPConnectionHandler`` leaves out the body of a response to
/// HEAD or CONNECT, so the encoder has nothing to decide: it writes the status line and the
/// fields as they are. NIO's encoder wrote each field in four calls, each checking the
/// buffer's uniqueness, and sent head, body and end as separate writes; on a 1 KiB static
/// file that was about a seventh of the edge's user time.
///
/// A head is held until the next write or flush: a body of at most ``maximumMergedBody``
/// bytes is copied in behind it, larger bodies and files follow it as their own writes.
final class HTTPResponseWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = IOData

    /// Copying this much is cheaper than a second entry in the channel's write queue.
    static let maximumMergedBody = 4096

    /// A head not yet passed on, with its promise.
    private var heldHead: ByteBuffer?
    private var heldPromise: EventLoopPromise<Void>?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            writeHeld(context: context)
            heldHead = Self.encode(head, allocator: context.channel.allocator)
            heldPromise = promise
        case .body(.byteBuffer(let body)):
            if var held = heldHead, body.readableBytes <= Self.maximumMergedBody {
                heldHead = nil
                var body = body
                held.writeBuffer(&body)
                heldHead = held
                Self.cascade(promise, into: &heldPromise)
            } else {
                writeHeld(context: context)
                context.write(wrapOutboundOut(.byteBuffer(body)), promise: promise)
            }
        case .body(let region):
            writeHeld(context: context)
            context.write(wrapOutboundOut(region), promise: promise)
        case .end:
            // Without a body, the end adds no bytes: it completes with the head (or at once).
            if heldHead != nil {
                Self.cascade(promise, into: &heldPromise)
                writeHeld(context: context)
            } else if let promise {
                // In order behind what is queued, as NIO's encoder does with an empty write.
                context.write(wrapOutboundOut(.byteBuffer(ByteBuffer())), promise: promise)
            }
        }
    }

    func flush(context: ChannelHandlerContext) {
        writeHeld(context: context)
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // A head written but not flushed stays queued like any unflushed write.
        writeHeld(context: context)
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        writeHeld(context: context)
    }

    private func writeHeld(context: ChannelHandlerContext) {
        guard let held = heldHead else { return }
        let promise = heldPromise
        heldHead = nil
        heldPromise = nil
        context.write(wrapOutboundOut(.byteBuffer(held)), promise: promise)
    }

    /// One promise for the merged write: a second one completes with the first.
    private static func cascade(_ promise: EventLoopPromise<Void>?, into held: inout EventLoopPromise<Void>?) {
        guard let promise else { return }
        if let first = held {
            first.futureResult.cascade(to: promise)
        } else {
            held = promise
        }
    }

    /// The status line and fields, sized once and copied in one pass.
    static func encode(_ head: HTTPResponseHead, allocator: ByteBufferAllocator) -> ByteBuffer {
        let version = head.version
        let versionText = version.major == 1 && version.minor == 1 ? "HTTP/1.1" : "HTTP/\(version.major).\(version.minor)"
        let code = String(head.status.code)
        let reason = head.status.reasonPhrase
        var size = versionText.utf8.count + 1 + code.utf8.count + 1 + reason.utf8.count + 2 + 2
        for (name, value) in head.headers { size += name.utf8.count + 2 + value.utf8.count + 2 }
        var buffer = allocator.buffer(capacity: size)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { target in
            guard let base = target.baseAddress else { return 0 }
            var writer = ByteWriter(base: base)
            writer.append(versionText)
            writer.append(UInt8(ascii: " "))
            writer.append(code)
            writer.append(UInt8(ascii: " "))
            writer.append(reason)
            writer.appendCRLF()
            for (name, value) in head.headers {
                writer.append(name)
                writer.append(UInt8(ascii: ":"))
                writer.append(UInt8(ascii: " "))
                writer.append(value)
                writer.appendCRLF()
            }
            writer.appendCRLF()
            return writer.offset
        }
        return buffer
    }
}

/// Copies bytes into memory sized beforehand (``HTTPResponseWriter/encode(_:allocator:)`` counts them first).
private struct ByteWriter {
    let base: UnsafeMutableRawPointer
    var offset = 0

    mutating func append(_ byte: UInt8) {
        base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
        offset += 1
    }

    mutating func appendCRLF() {
        append(UInt8(ascii: "\r"))
        append(UInt8(ascii: "\n"))
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
            (base + offset).copyMemory(from: source, byteCount: bytes.count)
            offset += bytes.count
        }
    }
}
