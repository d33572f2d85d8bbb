import NIOCore
import NIOHTTP1

/// Hands a stream's ``EdgeResponse`` to NIO's HTTP/2-to-HTTP/1 codec as the parts it takes:
/// head, body, end (an informational response is a head alone). The promise goes with the
/// last part, which completes once the whole response is written.
final class HTTP2ResponseParts: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = EdgeResponse
    typealias OutboundOut = HTTPServerResponsePart

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let response = unwrapOutboundIn(data)
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: HTTPHeaders(response.fields))
        guard !response.isInformational else {
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        switch response.body {
        case .empty: ()
        case .bytes(let buffer): context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .file(let region, _): context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }
}
