package import Logging
import Metrics
package import NIOCore
import NIOHTTP1
import NIOPosix
import RPC
import ServiceLifecycle

/// The public listener (HTTP/1.1; with TLS, HTTP/1.1 or HTTP/2 as ALPN chooses), as a
/// ServiceLifecycle service. A graceful shutdown stops accepting, closes idle keep-alive
/// connections, lets requests in flight finish (each with `Connection: close`, or GOAWAY on
/// HTTP/2) and returns once every connection is closed; cancellation (the drain timeout)
/// closes whatever is left.
package final class HTTPServer: Service, Sendable, CustomStringConvertible {
    let app: EdgeApplication
    /// nil serves plain HTTP/1.1.
    private let tls: TLSContextStore?
    private let group: any EventLoopGroup
    private let logger: Logger
    private let registry: ChannelRegistry
    private let dateCaches: DateHeaderCaches
    private let boundAddress: EventLoopPromise<SocketAddress>
    private let onListening: @Sendable (SocketAddress) -> Void

    package init(
        app: EdgeApplication,
        tls: TLSContextStore? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in },
        logger: Logger
    ) {
        self.app = app
        self.tls = tls
        self.group = eventLoopGroup
        self.logger = logger
        // The pipelining handler closes an idle connection at once and a busy one right after
        // its current response (with `Connection: close`).
        self.registry = ChannelRegistry(limit: app.configuration.maximumConnections) { channel in
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        self.dateCaches = DateHeaderCaches(group: eventLoopGroup)
        self.boundAddress = eventLoopGroup.any().makePromise()
        self.onListening = onListening
    }

    /// The address actually bound (useful with port 0); waits until `run` has bound.
    package func localAddress() async throws -> SocketAddress {
        try await boundAddress.futureResult.get()
    }

    var openConnections: Int { registry.count }

    package func run() async throws {
        let serverChannel: any Channel
        do {
            serverChannel = try await bind()
        } catch {
            boundAddress.fail(error)
            throw error
        }
        if let address = serverChannel.localAddress {
            boundAddress.succeed(address)
            onListening(address)
        }
        logger.info(
            "HTTP server listening",
            metadata: [
                "address": "\(app.configuration.listen)", "static-root": "\(app.configuration.staticRoot)",
                "tls": "\(tls == nil ? "off" : "h2, http/1.1")",
            ])

        try await registry.serve(listener: serverChannel) {
            self.logger.info("HTTP server draining", metadata: ["connections": "\(self.registry.count)"])
        }
        logger.info("HTTP server stopped")
    }

    private func bind() async throws -> any Channel {
        let app = self.app
        let tls = self.tls
        let registry = self.registry
        let dateCaches = self.dateCaches
        let limits = {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = app.configuration.maximumHeaderSize
            limits.maxHeaderListSize = app.configuration.maximumHeaderSize
            return limits
        }()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: app.configuration.writeBufferLimit / 2, high: app.configuration.writeBufferLimit)
            )
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let perAddress = app.connectionsPerAddress {
                        switch perAddress.open(peer: channel.remoteAddress?.ipAddress) {
                        case .counted(let address):
                            channel.closeFuture.whenComplete { _ in perAddress.close(address) }
                        case .uncounted:
                            ()
                        case .refused:
                            app.metrics.refusedPerAddress.increment()
                            try pipeline.addHandler(OverloadResponder(.tooManyConnectionsFromAddress, answers: tls == nil))
                            return
                        }
                    }
                    guard registry.add(channel) else {
                        app.metrics.refusedServerFull.increment()
                        try pipeline.addHandler(OverloadResponder(.tooManyConnections, answers: tls == nil))
                        return
                    }
                    app.metrics.openConnections.increment()
                    channel.closeFuture.whenComplete { _ in app.metrics.openConnections.decrement() }
                    guard let tls else {
                        try Self.configureHTTP1(channel, app: app, dateCaches: dateCaches, limits: limits)
                        return
                    }
                    try TLSConnectionPipeline.configure(
                        channel, store: tls, app: app,
                        http1: { try Self.configureHTTP1(channel, app: app, dateCaches: dateCaches, limits: limits) },
                        http2: { observer in
                            try HTTP2ConnectionPipeline.configure(channel, app: app, dateCaches: dateCaches, observer: observer)
                        })
                }
            }
        return try await bootstrap.bind(host: app.configuration.listen.host, port: app.configuration.listen.port).get()
    }

    /// An HTTP/1.1 connection's handlers, behind TLS's if any.
    static func configureHTTP1(
        _ channel: any Channel, app: EdgeApplication, dateCaches: DateHeaderCaches, limits: NIOHTTPDecoderLimitConfiguration
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        // In front of the decoder (behind TLS's handlers, if any): it sees the request's bytes.
        let observer = RequestStartObserver()
        try pipeline.addHandler(observer)
        // NIO's HTTP server pipeline without its handlers: pipelining is HTTPPipeliningHandler's
        // (NIO's has no limit and answered each queued request from inside the previous one's
        // write, see HTTPPipeline); the edge checks the one untrusted source of response
        // fields itself (see UpstreamHeaderCheck; NIO's check of every field cost ~12 % of a
        // static request's CPU); and HTTPPipeliningHandler encodes each response, handed to
        // it whole, as one buffer (HTTP1ResponseEncoder).
        try pipeline.addHandler(
            ByteToMessageHandler(
                HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: limits)))
        let pipelining = HTTPPipeliningHandler(
            maximumQueuedRequests: app.configuration.maximumPipelinedRequests, sendTimeout: app.configuration.sendTimeout,
            metrics: app.metrics)
        try pipeline.addHandler(pipelining)
        try pipeline.addHandler(
            HTTPConnectionHandler(
                app: app, dateCache: dateCaches.cache(for: channel.eventLoop), observer: observer, responder: .http1(pipelining)))
    }

    package var description: String { "HTTPServer" }
}
