public import Logging
public import NIOCore
public import NIOPosix
public import ServiceLifecycle
public import Tracing

/// Calls the servers one transport reaches. Run it as a ServiceLifecycle service (`run()`
/// keeps the transport ready); call it from any task.
///
/// Every call passes the interceptors: the caller's own first, then propagation of the call
/// being served (deadline, request id; see ``RPCCallOptions/onBehalfOf``), metrics, and retries — the one layer that retries,
/// only when that is safe (the request never reached a handler, or the method is idempotent)
/// and within the retry budget.
public final class RPCClient: Service, Sendable {
    public let transport: any RPCClientTransport
    public let configuration: RPCClientConfiguration
    /// The caller's own, run first, first outermost.
    private let interceptors: [any RPCClientInterceptor]
    private let propagation = CallPropagationInterceptor()
    private let tracing: ClientTracingInterceptor?
    private let metrics: ClientMetricsInterceptor
    private let retry: RetryInterceptor

    /// A client of the servers behind `target`, over TCP or Unix sockets.
    public convenience init(
        target: RPCTarget,
        configuration: RPCClientConfiguration = RPCClientConfiguration(),
        resolver: any NameResolver = SystemNameResolver(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        interceptors: [any RPCClientInterceptor] = [],
        tracer: (any Tracer)? = nil,
        headSampler: HeadSampler? = nil,
        logger: Logger
    ) {
        let transport = SocketClientTransport(
            target: target, configuration: configuration, resolver: resolver, eventLoopGroup: eventLoopGroup, logger: logger)
        self.init(
            transport: transport, configuration: configuration, interceptors: interceptors, tracer: tracer,
            headSampler: headSampler, logger: logger)
    }

    /// A client over any transport, e.g. ``InProcessTransport/client``. With a `tracer`, every
    /// call in a recorded trace is a client span and carries its context to the server; with a
    /// `headSampler` too, a call made outside any trace starts one only when the sampler records it.
    public init(
        transport: any RPCClientTransport,
        configuration: RPCClientConfiguration = RPCClientConfiguration(),
        interceptors: [any RPCClientInterceptor] = [],
        tracer: (any Tracer)? = nil,
        headSampler: HeadSampler? = nil,
        logger: Logger
    ) {
        self.transport = transport
        self.configuration = configuration
        self.interceptors = interceptors
        self.tracing = tracer.map { ClientTracingInterceptor(tracer: $0, target: transport.description, headSampler: headSampler) }
        self.metrics = ClientMetricsInterceptor(target: transport.description)
        self.retry = RetryInterceptor(
            maximumAttempts: configuration.maximumAttempts, budgetRatio: configuration.retryBudgetRatio, logger: logger)
    }

    // MARK: Calling

    /// Calls `method` with the compact binary encoding.
    public func call<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: RPCCallOptions = RPCCallOptions()
    ) async throws -> Response {
        var body = ByteBuffer()
        body.reserveCapacity(128)
        try PayloadEncoding.binary.encode(request, into: &body)
        let response = try await perform(
            method: method.wireName, isIdempotent: options.isIdempotent ?? method.isIdempotent, encoding: .binary, body: body,
            options: options)
        var responseBody = response.body
        do {
            return try response.encoding.decode(Response.self, from: &responseBody)
        } catch {
            throw RPCError(.internal, "cannot decode \(method.name) response: \(error)")
        }
    }

    /// Calls a method by name with a JSON body and returns the JSON reply: what a command-line
    /// client needs when it knows no types. Non-idempotent unless the options say otherwise.
    public func callJSON(method: String, body: ByteBuffer, options: RPCCallOptions = RPCCallOptions()) async throws -> ByteBuffer {
        try await perform(method: method, isIdempotent: options.isIdempotent ?? false, encoding: .json, body: body, options: options).body
    }

    private func perform(
        method: String, isIdempotent: Bool, encoding: PayloadEncoding, body: ByteBuffer, options: RPCCallOptions
    ) async throws -> RPCClientResponse {
        let request = RPCClientRequest(
            method: method, metadata: options.metadata, isIdempotent: isIdempotent,
            deadline: .now + (options.timeout ?? configuration.defaultTimeout), body: body, encoding: encoding,
            onBehalfOf: options.onBehalfOf)
        return try await run(request, from: 0)
    }

    private func run(_ request: RPCClientRequest, from index: Int) async throws -> RPCClientResponse {
        guard index < interceptors.count else { return try await runBuiltIn(request) }
        return try await interceptors[index].intercept(request) { request in
            try await run(request, from: index + 1)
        }
    }

    /// The built-in interceptors, composed by their concrete types rather than through the
    /// chain of existentials, so the optimizer can inline them: measured on the load test, the
    /// dynamic chain cost several percent of GET-one throughput.
    private func runBuiltIn(_ request: RPCClientRequest) async throws -> RPCClientResponse {
        try await propagation.intercept(request) { request in
            var request = request
            guard let tracing, let parent = tracing.spanParent(for: &request) else { return try await runMeasured(request) }
            return try await tracing.traced(request, parent: parent) { request in try await runMeasured(request) }
        }
    }

    private func runMeasured(_ request: RPCClientRequest) async throws -> RPCClientResponse {
        try await metrics.intercept(request) { request in
            try await retry.intercept(request) { request in
                try await transport.send(request)
            }
        }
    }

    /// Connections ready to take calls.
    public var readyConnectionCount: Int { transport.readyConnectionCount }

    // MARK: Running

    public func run() async throws {
        try await transport.run()
    }
}
