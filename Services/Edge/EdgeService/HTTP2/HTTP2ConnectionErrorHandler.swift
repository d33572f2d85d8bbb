import NIOCore

/// Last in an HTTP/2 connection's pipeline: closes it on an error that reached it. The HTTP/2
/// handler answers a connection error (a client breaking the protocol, e.g. opening more
/// streams than allowed) with GOAWAY and reports it, but leaves closing to the pipeline.
final class HTTP2ConnectionErrorHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
