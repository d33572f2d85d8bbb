public import Logging
public import NIOCore
public import NIOPosix

/// Serves calls on a TCP port or a Unix socket: the handshake, per-connection limits and
/// timeouts, GOAWAY on drain. A graceful shutdown stops accepting, sends GOAWAY on every
/// connection, lets in-flight calls finish, and returns once all connections are closed.
public final class SocketServerTransport: RPCServerTransport {
    public let configuration: RPCServerConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    /// GOAWAY on each connection: finish the calls it has, refuse new ones, then close.
    private let registry: ChannelRegistry
    private let connectionMetrics = ServerConnectionMetrics()
    private let limitWarning = RateLimitedWarning(every: .seconds(10))
    private let boundAddress: EventLoopPromise<SocketAddress>
    private let onListening: @Sendable (SocketAddress) -> Void

    public init(
        configuration: RPCServerConfiguration,
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in },
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.onListening = onListening
        self.registry = ChannelRegistry(limit: configuration.maximumConnections) { channel in
            channel.eventLoop.execute {
                try? channel.pipeline.syncOperations.handler(type: ServerConnectionHandler.self).beginDrain()
            }
        }
        self.group = eventLoopGroup
        self.logger = logger
        self.boundAddress = eventLoopGroup.any().makePromise()
    }

    /// The address actually bound (useful with port 0); waits until `listen` has bound.
    public func localAddress() async throws -> SocketAddress {
        try await boundAddress.futureResult.get()
    }

    public func listen(_ dispatcher: RPCCallDispatcher) async throws {
        let serverChannel: any Channel
        do {
            serverChannel = try await bind(dispatcher)
        } catch {
            boundAddress.fail(error)
            throw error
        }
        if let address = serverChannel.localAddress {
            boundAddress.succeed(address)
            onListening(address)
        }
        logger.info(
            "RPC server listening", metadata: ["address": "\(configuration.bindTarget)", "methods": "\(dispatcher.methodNames.count)"])
        if configuration.secret == nil {
            logger.warning(
                "RPC_SECRET is not set: the RPC server authenticates no one, so anything that can reach \(configuration.bindTarget) can call every method. Set --rpc-secret/RPC_SECRET (the same on every service) in any real deployment."
            )
        }

        try await registry.serve(listener: serverChannel) {
            self.logger.info("RPC server draining", metadata: ["connections": "\(self.registry.count)"])
        }
        logger.info("RPC server stopped")
    }

    private func bind(_ dispatcher: RPCCallDispatcher) async throws -> any Channel {
        let configuration = self.configuration
        let logger = self.logger
        let registry = self.registry
        let metrics = self.connectionMetrics
        let limitWarning = self.limitWarning
        let isTCP = if case .tcp = configuration.bindTarget { true } else { false }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if isTCP { try channel.syncOptions?.setOption(.tcpOption(.tcp_nodelay), value: 1) }
                    let handler = ServerConnectionHandler(
                        dispatcher: dispatcher, configuration: configuration, metrics: metrics, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    guard registry.add(channel) else {
                        metrics.recordRejected()
                        if limitWarning.shouldLog() {
                            logger.warning(
                                "RPC server at its connection limit; closing new connections",
                                metadata: ["limit": "\(configuration.maximumConnections)"])
                        }
                        // NIO closes a connection whose initializer fails, before reading a byte.
                        throw ConnectionLimitReached()
                    }
                    metrics.recordOpen(registry.count)
                    channel.closeFuture.whenComplete { _ in metrics.recordOpen(registry.count) }
                }
            }
        switch configuration.bindTarget {
        case .tcp(let host, let port):
            return try await bootstrap.bind(host: host, port: port).get()
        case .unix(let path):
            return try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        }
    }
}
