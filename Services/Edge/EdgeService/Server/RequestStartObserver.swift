import NIOCore

/// Sits in front of the HTTP decoder and reports, once per arming, that bytes of a new request
/// have arrived. That is the moment an idle keep-alive connection switches from the keep-alive
/// timeout to the (shorter) header timeout — how slowloris clients are cut off — and the
/// request timeout starts.
///
/// It calls the connection handler directly rather than sending a user event down the
/// pipeline: this happens on every keep-alive request, and an event would visit the decoder
/// and NIO's pipelining handler on its way.
final class RequestStartObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Set by the connection handler when it starts waiting for a request.
    var isArmed = false
    /// Weak: the handler holds this observer, and both live in the same pipeline.
    weak var listener: HTTPConnectionHandler?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if isArmed {
            isArmed = false
            listener?.requestBytesArrived()
        }
        context.fireChannelRead(data)
    }
}
