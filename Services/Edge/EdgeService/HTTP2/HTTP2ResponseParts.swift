import NIOCore
import NIOHTTP1

/// Writes an HTTP/2 stream's ``EdgeResponse`` as the parts NIO's HTTP/2-to-HTTP/1 codec takes:
/// head, body, end (an informational response is a head alone). The promise goes with the
/// last part, which completes once the whole response is written. A function the connection
/// handler calls rather than a handler of its own: one more handler on every stream cost ~3 %
/// of HTTP/2's requests per second.
enum HTTP2ResponseParts {
    static func write(_ response: EdgeResponse, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: HTTPHeaders(response.allFields))
        guard !response.isInformational else {
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: promise)
            return
        }
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        switch response.body {
        case .empty: ()
        case .bytes(let buffer): context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
        case .file(let region, _): context.write(NIOAny(HTTPServerResponsePart.body(.fileRegion(region))), promise: nil)
        }
        context.write(NIOAny(HTTPServerResponsePart.end(nil)), promise: promise)
    }
}
