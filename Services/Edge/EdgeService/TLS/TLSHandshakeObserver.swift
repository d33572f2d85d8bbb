import Metrics
import NIOCore
import NIOTLS

/// Sits behind the TLS handler from accept until the connection's first request: counts
/// failed handshakes and the protocol ALPN chose, and closes a connection that has not started
/// a request within the header timeout. The HTTP/1.1 connection handler and HTTP/2's stream
/// handlers time requests themselves, but neither exists before ALPN has chosen, nor (for
/// HTTP/2) before a first stream: without this a client that connects and stays silent, or
/// stalls its handshake, would hold a connection forever.
final class TLSHandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let setupTimeout: TimeAmount
    private let metrics: EdgeMetrics
    private var handshakeCompleted = false
    private var timeout: Scheduled<Void>?

    init(setupTimeout: Duration, metrics: EdgeMetrics) {
        self.setupTimeout = TimeAmount(setupTimeout)
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = context.loopBound
        timeout = context.eventLoop.assumeIsolated().scheduleTask(in: setupTimeout) {
            loopBound.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        requestStarted()
    }

    /// The connection's first request has started: its own timeouts take over.
    func requestStarted() {
        timeout?.cancel()
        timeout = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = tlsEvent {
            handshakeCompleted = true
            if negotiated == "h2" {
                metrics.tlsConnectionsHTTP2.increment()
            } else {
                metrics.tlsConnectionsHTTP1.increment()
            }
        } else if event is ChannelShouldQuiesceEvent, !handshakeCompleted {
            // Nothing in flight yet: a draining server need not wait for this one.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard handshakeCompleted else {
            // Plain HTTP, garbage, no common version or cipher: the TLS handler has sent its
            // alert; nothing here can answer more.
            metrics.tlsHandshakeFailures.increment()
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}
