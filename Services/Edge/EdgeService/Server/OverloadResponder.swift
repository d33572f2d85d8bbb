import NIOCore

/// Answers a connection beyond the connection limit with a fixed 503 and closes it, so an
/// overloaded edge tells clients why instead of resetting them.
final class OverloadResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let response: String = {
        let body = #"{"error":"too_many_connections","message":"The server has too many open connections; try again shortly."}"#
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Retry-After: 1\r\nConnection: close\r\n\r\n" + body
    }()

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = context.loopBound
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: Self.response))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
