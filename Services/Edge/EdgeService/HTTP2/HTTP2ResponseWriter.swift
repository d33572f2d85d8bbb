import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import RPC

/// Writes an HTTP/2 stream's responses as frames, as nginx frames them: a HEADERS frame (which
/// ends the stream when there is no body) and one DATA frame that ends it.
///
/// It sits on the stream in front of NIO's HTTP/2-to-HTTP/1 codec, which still turns the
/// request's frames into the HTTP/1 parts ``HTTPConnectionHandler`` reads; the responses skip
/// the codec, the connection handler calling ``writeAndFlush(_:promise:)``. Through the codec,
/// each response was built as an `HTTPResponseHead` with its `HTTPHeaders`, converted to
/// `HPACKHeaders` (every name lowercased again) and ended by an empty DATA frame of its own.
///
/// Header fields go as literals without indexing (`Set-Cookie` never indexed). Indexed, HPACK
/// searched the connection's dynamic table for each field of each response by string
/// comparison and inserted it, a response's changing fields (date, request id, length) evicting
/// the rest: 7 % of the edge's samples under h2load. Unindexed, the table stays empty and a
/// field costs a static-table lookup and its literal.
final class HTTP2ResponseWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// Held for ``writeAndFlush(_:promise:)`` between `handlerAdded` and `handlerRemoved`.
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes and flushes `response`; the promise completes once its last frame is written.
    func writeAndFlush(_ response: EdgeResponse, promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let headers = Self.headerBlock(of: response)
        let body: IOData? =
            switch response.body {
            case .empty: nil
            case .bytes(let buffer): .byteBuffer(buffer)
            case .file(let region, _): .fileRegion(region)
            }
        if response.isInformational {
            context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: promise)
        } else if let body {
            context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.data(.init(data: body, endStream: true))), promise: promise)
        } else {
            context.write(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: promise)
        }
        context.flush()
    }

    /// `:status`, then the fields in HTTP/1.1's order, names in lower case. The connection-specific
    /// fields HTTP/2 forbids (RFC 9113, 8.2.2) are never among them: `Connection` is not a field
    /// of ``EdgeResponse`` here, and an upstream's pass ``HopByHopHeaders`` before they get there.
    static func headerBlock(of response: EdgeResponse) -> HPACKHeaders {
        var block = HPACKHeaders()
        block.reserveCapacity(response.fields.count + (response.representation?.http2.count ?? 0) + 4)
        block.add(name: ":status", value: String(response.status.code), indexing: .nonIndexable)
        if let date = response.date { block.add(name: "date", value: date, indexing: .nonIndexable) }
        if let representation = response.representation {
            for (name, value) in representation.http2 { block.add(name: name, value: value, indexing: .nonIndexable) }
        }
        for (name, value) in response.fields {
            let name = name.lowercased()
            block.add(name: name, value: value, indexing: name == "set-cookie" ? .neverIndexed : .nonIndexable)
        }
        if let contentLength = response.contentLength {
            block.add(name: "content-length", value: String(contentLength), indexing: .nonIndexable)
        }
        if let requestID = response.requestID { block.add(name: requestIDName, value: requestID, indexing: .nonIndexable) }
        return block
    }

    private static let requestIDName = RequestID.headerName.lowercased()
}
