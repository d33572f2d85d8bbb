public import Logging
public import NIOCore
public import NIOPosix
public import ServiceLifecycle
import Synchronization
public import Tracing

/// Serves the methods of an `RPCRouter` through a transport, as a ServiceLifecycle service.
/// Every call passes the server's interceptors (metrics and request-id logging first, then the
/// caller's own) whatever transport brought it.
public final class RPCServer: Service, Sendable {
    private let transport: any RPCServerTransport
    private let socketTransport: SocketServerTransport?
    private let dispatcher: RPCCallDispatcher

    /// A server on TCP or a Unix socket: a graceful shutdown stops accepting, sends GOAWAY on
    /// every connection, lets in-flight calls finish, and returns once all connections are
    /// closed. Cancellation (the drain timeout) closes whatever is left.
    ///
    /// - Parameters:
    ///   - isServing: answers the built-in `rpc.health` method (e.g. "database reachable").
    ///   - onListening: called once the socket is bound, e.g. to mark the service ready.
    ///   - interceptors: run around every call, after the built-in ones, first outermost.
    ///   - tracer: when set, every call in a recorded trace is a server span continuing the
    ///     caller's trace.
    ///   - headSampler: with a tracer, decides whether a call that arrives without a trace
    ///     starts a recorded one (``HeadSampler``); without it the tracer's sampler does.
    public convenience init(
        configuration: RPCServerConfiguration,
        router: RPCRouter,
        serviceName: String,
        isServing: @escaping @Sendable () -> Bool = { true },
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in },
        interceptors: [any RPCServerInterceptor] = [],
        tracer: (any Tracer)? = nil,
        headSampler: HeadSampler? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        let transport = SocketServerTransport(
            configuration: configuration, onListening: onListening, eventLoopGroup: eventLoopGroup, logger: logger)
        self.init(
            transport: transport, socketTransport: transport, router: router, serviceName: serviceName, isServing: isServing,
            interceptors: interceptors, tracer: tracer, headSampler: headSampler)
    }

    /// A server on any transport, e.g. ``InProcessTransport/server``.
    public convenience init(
        transport: any RPCServerTransport,
        router: RPCRouter,
        serviceName: String,
        isServing: @escaping @Sendable () -> Bool = { true },
        interceptors: [any RPCServerInterceptor] = [],
        tracer: (any Tracer)? = nil,
        headSampler: HeadSampler? = nil
    ) {
        self.init(
            transport: transport, socketTransport: nil, router: router, serviceName: serviceName, isServing: isServing,
            interceptors: interceptors, tracer: tracer, headSampler: headSampler)
    }

    private init(
        transport: any RPCServerTransport, socketTransport: SocketServerTransport?, router: RPCRouter, serviceName: String,
        isServing: @escaping @Sendable () -> Bool, interceptors: [any RPCServerInterceptor], tracer: (any Tracer)?,
        headSampler: HeadSampler?
    ) {
        var router = router
        router.register(.health) { _, _ in
            HealthResponse(status: isServing() ? .serving : .notServing, service: serviceName)
        }
        router.registerReflection()
        self.transport = transport
        self.socketTransport = socketTransport
        self.dispatcher = RPCCallDispatcher(
            methods: router.methods, interceptors: interceptors,
            tracing: tracer.map { ServerTracingInterceptor(tracer: $0, headSampler: headSampler) })
    }

    /// The wire contract of everything this server answers, `rpc.*` included.
    public var contract: WireContract {
        var contract = WireContract()
        for method in dispatcher.methods.values { method.contribute(&contract) }
        return contract
    }

    /// The address actually bound (useful with port 0); waits until `run` has bound. Only a
    /// socket server has one.
    public func localAddress() async throws -> SocketAddress {
        guard let socketTransport else { throw RPCError(.failedPrecondition, "an in-process server has no address") }
        return try await socketTransport.localAddress()
    }

    public func run() async throws {
        try await transport.listen(dispatcher)
    }
}

struct ConnectionLimitReached: Error {}

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
