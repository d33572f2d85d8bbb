import NIOCore

/// Sits in front of the HTTP decoder and reports, once per arming, that bytes of a new request
/// have arrived. That is the moment an idle keep-alive connection switches from the keep-alive
/// timeout to the (shorter) header timeout — how slowloris clients are cut off.
final class RequestStartObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The user event sent down the pipeline when bytes arrive while armed.
    struct BytesArrived: Sendable {}

    /// Set by the connection handler when it starts waiting for a request.
    var isArmed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if isArmed {
            isArmed = false
            context.fireUserInboundEventTriggered(BytesArrived())
        }
        context.fireChannelRead(data)
    }
}
