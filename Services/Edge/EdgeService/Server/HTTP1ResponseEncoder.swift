import NIOCore
import NIOHTTP1
import RPC

/// Encodes the edge's HTTP/1.1 responses in place of NIO's `HTTPResponseEncoder`: a head, and
/// a small body copied in behind it, as one buffer.
///
/// The edge frames every response itself (`Content-Length`, or none for 1xx, 204 and 304; it
/// never sends chunked), and ``HTTPConnectionHandler`` leaves out the body of a response to
/// HEAD or CONNECT, so the encoder has nothing to decide: it writes the status line and the
/// fields as they are. NIO's encoder wrote each field in four calls, each checking the
/// buffer's uniqueness, and sent head, body and end as separate writes; on a 1 KiB static
/// file that was about a seventh of the edge's user time.
enum HTTP1ResponseEncoder {
    /// Copying this much is cheaper than a second entry in the channel's write queue.
    static let maximumMergedBody = 4096

    /// The status line and the fields, sized once and copied in one pass, with room for
    /// `bodyCapacity` more bytes behind them.
    static func encodeHead(_ response: EdgeResponse, bodyCapacity: Int = 0, allocator: ByteBufferAllocator) -> ByteBuffer {
        let code = String(response.status.code)
        let reason = response.status.reasonPhrase
        let contentLength = response.contentLength.map { String($0) }
        var size = 8 + 1 + code.utf8.count + 1 + reason.utf8.count + 2 + 2
        if let date = response.date { size += fieldSize("Date", date) }
        if let representation = response.representation { size += representation.http1.readableBytes }
        for (name, value) in response.fields { size += fieldSize(name, value) }
        if let contentLength { size += fieldSize("Content-Length", contentLength) }
        if let requestID = response.requestID { size += fieldSize(RequestID.headerName, requestID) }
        switch response.connection {
        case .unstated: ()
        case .close: size += fieldSize("Connection", "close")
        case .keepAlive: size += fieldSize("Connection", "keep-alive")
        }
        var buffer = allocator.buffer(capacity: size + bodyCapacity)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { target in
            guard let base = target.baseAddress else { return 0 }
            var writer = ByteWriter(base: base)
            writer.append("HTTP/1.1 ")
            writer.append(code)
            writer.append(UInt8(ascii: " "))
            writer.append(reason)
            writer.appendCRLF()
            if let date = response.date { writer.appendField("Date", date) }
            if let representation = response.representation { writer.append(representation.http1) }
            for (name, value) in response.fields { writer.appendField(name, value) }
            if let contentLength { writer.appendField("Content-Length", contentLength) }
            if let requestID = response.requestID { writer.appendField(RequestID.headerName, requestID) }
            switch response.connection {
            case .unstated: ()
            case .close: writer.appendField("Connection", "close")
            case .keepAlive: writer.appendField("Connection", "keep-alive")
            }
            writer.appendCRLF()
            return writer.offset
        }
        return buffer
    }

    private static func fieldSize(_ name: String, _ value: String) -> Int {
        name.utf8.count + 2 + value.utf8.count + 2
    }
}

/// Copies bytes into memory sized beforehand (``HTTP1ResponseEncoder/encodeHead(_:bodyCapacity:allocator:)`` counts them first).
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

    mutating func appendField(_ name: String, _ value: String) {
        append(name)
        append(UInt8(ascii: ":"))
        append(UInt8(ascii: " "))
        append(value)
        appendCRLF()
    }

    mutating func append(_ bytes: ByteBuffer) {
        bytes.withUnsafeReadableBytes { source in
            guard let start = source.baseAddress, !source.isEmpty else { return }
            (base + offset).copyMemory(from: start, byteCount: source.count)
            offset += source.count
        }
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
