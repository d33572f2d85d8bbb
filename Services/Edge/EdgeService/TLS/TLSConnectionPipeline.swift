import NIOCore
import NIOSSL
import NIOTLS

/// A public connection when TLS is on: the TLS handler with the context current at accept,
/// then whichever protocol ALPN chose. A client that offers no ALPN gets HTTP/1.1.
enum TLSConnectionPipeline {
    /// - Parameters:
    ///   - http1: Adds the same handlers a plain connection gets.
    ///   - http2: Adds HTTP/2's; the observer learns of each stream.
    static func configure(
        _ channel: any Channel, store: TLSContextStore, app: EdgeApplication,
        http1: @escaping () throws -> Void, http2: @escaping (TLSHandshakeObserver) throws -> Void
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        let observer = TLSHandshakeObserver(setupTimeout: app.configuration.headerTimeout, metrics: app.metrics)
        try pipeline.addHandler(NIOSSLServerHandler(context: store.current))
        try pipeline.addHandler(observer)
        try pipeline.addHandler(
            ApplicationProtocolNegotiationHandler { result, channel in
                channel.eventLoop.makeCompletedFuture {
                    switch result {
                    case .negotiated("h2"):
                        try http2(observer)
                    case .negotiated, .fallback:
                        // The connection handler's header and keep-alive timeouts apply from here.
                        observer.requestStarted()
                        try http1()
                    }
                }
            })
    }
}
