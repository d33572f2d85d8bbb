import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves the methods of an `RPCRouter` over TCP or a Unix socket, as a ServiceLifecycle
/// service: a graceful shutdown stops accepting, sends GOAWAY on every connection, lets
/// in-flight calls finish, and returns once all connections are closed. Cancellation (the
/// drain timeout) closes whatever is left.
public final class RPCServer: Service, Sendable {
    public let configuration: RPCServerConfiguration
    private let methods: [String: ServedMethod]
    private let group: any EventLoopGroup
    private let logger: Logger
    /// GOAWAY on each connection: finish the calls it has, refuse new ones, then close.
    private let registry: ChannelRegistry
    private let connectionMetrics = ServerConnectionMetrics()
    private let limitWarning = RateLimitedWarning(every: .seconds(10))
    private let boundAddress: EventLoopPromise<SocketAddress>
    private let onListening: @Sendable (SocketAddress) -> Void

    /// - Parameters:
    ///   - isServing: answers the built-in `rpc.health` method (e.g. "database reachable").
    ///   - onListening: called once the socket is bound, e.g. to mark the service ready.
    public init(
        configuration: RPCServerConfiguration,
        router: RPCRouter,
        serviceName: String,
        isServing: @escaping @Sendable () -> Bool = { true },
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in },
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.onListening = onListening
        var router = router
        router.register(.health) { _, _ in
            HealthResponse(status: isServing() ? .serving : .notServing, service: serviceName)
        }
        router.registerMethodList()
        self.configuration = configuration
        self.registry = ChannelRegistry(limit: configuration.maximumConnections) { channel in
            channel.eventLoop.execute {
                try? channel.pipeline.syncOperations.handler(type: ServerConnectionHandler.self).beginDrain()
            }
        }
        self.methods = router.methods.mapValues { ServedMethod(registered: $0, metrics: MethodMetrics(method: $0.name)) }
        self.group = eventLoopGroup
        self.logger = logger
        self.boundAddress = eventLoopGroup.any().makePromise()
    }

    /// The address actually bound (useful with port 0); waits until `run` has bound.
    public func localAddress() async throws -> SocketAddress {
        try await boundAddress.futureResult.get()
    }

    public func run() async throws {
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
        logger.info("RPC server listening", metadata: ["address": "\(configuration.bindTarget)", "methods": "\(methods.count)"])
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

    private func bind() async throws -> any Channel {
        let methods = self.methods
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
                    let handler = ServerConnectionHandler(methods: methods, configuration: configuration, metrics: metrics, logger: logger)
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

private struct ConnectionLimitReached: Error {}

/// One warning per period at most: a flood of refused connections must not become a flood of
/// log lines (the counter has the numbers).
final class RateLimitedWarning: Sendable {
    private let periodNanoseconds: UInt64
    private let lastLogged = Atomic<UInt64>(0)

    init(every period: Duration) {
        periodNanoseconds = UInt64(clamping: TimeAmount(period).nanoseconds)
    }

    func shouldLog(now: UInt64 = NIODeadline.now().uptimeNanoseconds) -> Bool {
        let last = lastLogged.load(ordering: .relaxed)
        guard last == 0 || now &- last >= periodNanoseconds else { return false }
        return lastLogged.compareExchange(expected: last, desired: max(now, 1), ordering: .relaxed).exchanged
    }
}
