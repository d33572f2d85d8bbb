public import Logging
public import Metrics
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
import ServiceLifecycle
import Synchronization

/// Reaches the servers behind one target over TCP or Unix sockets: keeps the address list
/// fresh and a connection up to each address, sends each call to the less busy of two random
/// ready connections, uses a connection only once its server is serving, and ejects addresses
/// that keep failing.
public final class SocketClientTransport: RPCClientTransport {
    public let target: RPCTarget
    public let configuration: RPCClientConfiguration
    /// The group's loops; a server address gets connections on each in turn.
    private let eventLoops: [any EventLoop]
    private let resolver: any NameResolver
    private let logger: Logger
    /// Internal for tests, which pick from it on a chosen event loop.
    let pool: ConnectionPool
    private let metricsFactory: any MetricsFactory
    /// One per address ever connected to, shared by its connections (see ``EndpointLoad``).
    private let loads = NIOLockedValueBox<[SocketAddress: EndpointLoad]>([:])
    private let authenticationFailures = Counter(label: "rpc_client_authentication_failures_total")
    private let retiredConnections = Counter(label: "rpc_client_connections_retired_total")

    public init(
        target: RPCTarget,
        configuration: RPCClientConfiguration = RPCClientConfiguration(),
        resolver: any NameResolver = SystemNameResolver(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger
    ) {
        self.target = target
        self.configuration = configuration
        self.eventLoops = Array(eventLoopGroup.makeIterator())
        self.resolver = resolver
        var logger = logger
        logger[metadataKey: "rpc-target"] = "\(target)"
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.pool = ConnectionPool(
            ejectionThreshold: configuration.ejectionThreshold, metrics: EndpointMetrics(target: "\(target)", factory: metricsFactory))
    }

    // MARK: Sending

    public func send(_ request: RPCClientRequest) async throws -> RPCClientResponse {
        let connection = try await connection(for: request.method, avoiding: request.trail.lastAddress, deadline: request.deadline)
        request.trail.lastAddress = connection.address
        let remaining = request.deadline - .now
        guard remaining > .zero else {
            throw RPCError(.deadlineExceeded, "deadline exceeded before \(request.method) was sent", wasProcessed: false)
        }
        let response = try await connection.call(
            method: request.method, flags: request.encoding.frameFlags, metadata: request.metadata, timeout: remaining,
            bodySize: request.body.readableBytes
        ) { buffer in
            buffer.writeImmutableBuffer(request.body)
        }
        guard response.head.status == .ok else {
            throw RPCError(response.head.status, response.head.message, wasProcessed: !response.flags.contains(.notProcessed))
        }
        return RPCClientResponse(body: response.body, encoding: PayloadEncoding(flags: response.flags))
    }

    /// A ready connection to a server that serves `method` now, or — while connections are
    /// being made — as soon as one is ready. Fails fast with `unavailable` when every server is
    /// known to be unreachable, and with `unimplemented` (not processed) when the servers that
    /// are ready all lack the method: during a rolling upgrade, one not deployed yet.
    private func connection(
        for method: String, avoiding avoided: SocketAddress?, deadline: ContinuousClock.Instant
    ) async throws -> ClientConnection {
        let waitUntil = min(deadline, .now + configuration.connectTimeout)
        while true {
            let version = pool.version
            switch pool.pick(serving: method, avoiding: avoided) {
            case .connection(let connection): return connection
            case .noneServes:
                throw RPCError(.unimplemented, "no ready instance of \(target) serves \(method)", wasProcessed: false)
            case .noneReady: break
            }
            guard pool.mayBecomeReady, ContinuousClock.now < waitUntil else { break }
            await pool.waitForChange(since: version, until: waitUntil)
            try Task.checkCancellation()
        }
        let lastError = pool.lastError
        let reason = lastError.map { " (last error: \($0.reason))" } ?? ""
        if lastError?.authentication == true {
            throw RPCError(.unauthenticated, "no authenticated server for \(target)\(reason)", wasProcessed: false)
        }
        throw RPCError(.unavailable, "no reachable server for \(target)\(reason)", wasProcessed: false)
    }

    public var readyConnectionCount: Int { pool.readyCount }

    public var description: String { "\(target)" }

    // MARK: Running

    public func run() async throws {
        if configuration.secret == nil {
            logger.warning(
                "RPC_SECRET is not set: calls to \(target) are not authenticated, and servers that require authentication will refuse them. Set --rpc-secret/RPC_SECRET (the same on every service) in any real deployment."
            )
        }
        let (newEndpoints, announce) = AsyncStream.makeStream(of: (SocketAddress, UInt64).self)
        await withDiscardingTaskGroup { group in
            group.addTask {
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        await self.refreshAddresses(announcing: announce)
                        if case .unix = self.target {
                            // Socket paths never change: nothing more to resolve.
                            try? await Task.sleep(for: .seconds(3600 * 24 * 365))
                        } else {
                            try? await Task.sleep(for: self.configuration.resolveInterval)
                        }
                    }
                }
                announce.finish()
            }
            let connections = configuration.connectionsPerEndpoint == 0 ? eventLoops.count : configuration.connectionsPerEndpoint
            for await (address, generation) in newEndpoints {
                for slot in 0..<connections {
                    let eventLoop = eventLoops[slot % eventLoops.count]
                    group.addTask { await self.maintainConnection(to: address, generation: generation, on: eventLoop) }
                }
            }
            group.cancelAll()
        }
        for connection in pool.removeAll() { connection.close() }
    }

    private func refreshAddresses(announcing announce: AsyncStream<(SocketAddress, UInt64)>.Continuation) async {
        let addresses: [SocketAddress]
        do {
            addresses = try await resolve()
        } catch {
            logger.warning("RPC target resolution failed; keeping the previous addresses", metadata: ["error": "\(error)"])
            pool.resolutionFailed("\(error)")
            return
        }
        let (added, removed) = pool.update(addresses: addresses)
        if !added.isEmpty || !removed.isEmpty {
            logger.info(
                "RPC target addresses changed",
                metadata: [
                    "added": "\(added.map { "\($0.0)" })", "removed": "\(Set(removed.map { "\($0.address)" }))",
                ])
        }
        for connection in removed { closeWhenIdle(connection) }
        for endpoint in added { announce.yield(endpoint) }
    }

    private func resolve() async throws -> [SocketAddress] {
        switch target {
        case .unix(let paths):
            return try paths.map { try SocketAddress(unixDomainSocketPath: $0) }
        case .dns(let hostAndPort):
            return try await resolver.resolve(host: hostAndPort.host, port: hostAndPort.port)
        case .hosts(let list):
            var all: [SocketAddress] = []
            for hostAndPort in list {
                for address in try await resolver.resolve(host: hostAndPort.host, port: hostAndPort.port) where !all.contains(address) {
                    all.append(address)
                }
            }
            return all
        }
    }

    /// Keeps one connection to `address` on `eventLoop` up for as long as the address is in the
    /// target: connect, wait until the server is serving, serve until it closes, back off with
    /// jitter, repeat.
    /// A connection running out of call ids keeps serving until its replacement is in.
    private func maintainConnection(to address: SocketAddress, generation: UInt64, on eventLoop: any EventLoop) async {
        var backoff = Backoff(base: configuration.reconnectBackoffBase, cap: configuration.reconnectBackoffCap)
        var retiring: ClientConnection?
        let load = loads.withLockedValue { loads in
            if let load = loads[address] { return load }
            let load = EndpointLoad(target: "\(target)", address: address, factory: metricsFactory)
            loads[address] = load
            return load
        }
        // Set when a retiring connection already counted its replacement's attempt (see below).
        var replacementCounted = false
        defer {
            retiring?.retire()
            if replacementCounted { pool.connectAttemptAbandoned(address) }
        }
        while !Task.isCancelled, pool.isActive(address, generation: generation) {
            if !replacementCounted { pool.connectAttemptStarted(address) }
            replacementCounted = false
            var delay = backoff.next()
            do {
                let pool = self.pool
                let logger = self.logger
                // The replacement counts as under way from the call that starts the retirement,
                // so callers that use up the last ids before this task wakes wait for it instead
                // of finding the address lost.
                let connection = try await ClientConnection.connect(
                    to: address, on: eventLoop, configuration: configuration, load: load, logger: logger,
                    onRetiring: { pool.connectAttemptStarted(address) }
                ) { connection, reason, cause in
                    guard let connection else { return }
                    if pool.connectionUnusable(connection, reason: reason, cause: cause) {
                        logger.warning("RPC endpoint ejected", metadata: ["address": "\(address)", "reason": "\(reason)"])
                    }
                }
                if configuration.requiresServingHealth || pool.isEjected(address) {
                    try await waitUntilServing(connection, generation: generation)
                }
                let (accepted, wasEjected, wasNotServing) = pool.connectAttemptSucceeded(connection)
                guard accepted else {
                    connection.close()
                    continue
                }
                if wasEjected || wasNotServing { logger.info("RPC endpoint back in rotation", metadata: ["address": "\(address)"]) }
                if let old = retiring {
                    pool.retire(old)
                    old.retire()
                    retiring = nil
                    retiredConnections.increment()
                }
                backoff.reset()
                // Serve until the connection closes — or until the client stops, which must
                // close it, or shutdown would wait here forever.
                let ending = await withTaskCancellationHandler {
                    await connection.ended()
                } onCancel: {
                    connection.close()
                }
                if case .retiring = ending {
                    replacementCounted = true
                    guard !Task.isCancelled else {
                        connection.close()
                        break
                    }
                    retiring = connection
                    continue
                }
                delay = backoff.next()
            } catch {
                let authentication = (error as? RPCError)?.code == .unauthenticated
                if pool.connectAttemptFailed(address, reason: "\(error)", authentication: authentication) {
                    logger.warning("RPC endpoint ejected", metadata: ["address": "\(address)", "error": "\(error)"])
                }
                if authentication {
                    authenticationFailures.increment()
                    logger.error(
                        "RPC authentication failed; calls to this address fail until the secrets match",
                        metadata: [
                            "address": "\(address)", "error": "\(error)", "retry-in": "\(configuration.authenticationRetryDelay)",
                        ])
                    delay = max(delay, configuration.authenticationRetryDelay)
                }
            }
            try? await Task.sleep(for: delay)
        }
    }

    /// Asks the server's health on `connection` until it answers `serving` (see
    /// ``RPCClientConfiguration/requiresServingHealth``; always for an ejected address). A server
    /// that is up but not ready — migrating, draining — is not failing: nothing counts against
    /// its address, and the attempt stays under way, so callers wait for it (at most the connect
    /// timeout) instead of failing at once. Throws, closing the connection, when it fails.
    private func waitUntilServing(_ connection: ClientConnection, generation: UInt64) async throws {
        var backoff = Backoff(base: configuration.reconnectBackoffBase, cap: configuration.reconnectBackoffCap)
        do {
            while true {
                guard let notServing = try await healthProblem(connection) else { return }
                if pool.notServingYet(connection.address, reason: notServing) {
                    logger.info(
                        "RPC endpoint is up but not serving; calls go to other instances until it is",
                        metadata: ["address": "\(connection.address)", "reason": "\(notServing)"])
                }
                guard pool.isActive(connection.address, generation: generation) else { throw CancellationError() }
                try await Task.sleep(for: backoff.next())
            }
        } catch {
            connection.close()
            throw error
        }
    }

    /// Why the server is not serving, or nil when it is. A server whose interceptors refuse
    /// this client the health call (or that has none) has answered, so it is up; only its own
    /// `notServing` or `unavailable` keeps calls away.
    private func healthProblem(_ connection: ClientConnection) async throws -> String? {
        let response = try await connection.call(
            method: RPCMethod.health.name, flags: [], metadata: RPCMetadata(), timeout: configuration.connectTimeout
        ) { try PayloadEncoding.binary.encode(HealthRequest(), into: &$0) }
        switch response.head.status {
        case .ok:
            var body = response.body
            let status = try PayloadEncoding.binary.decode(HealthResponse.self, from: &body).status
            return status == .serving ? nil : "not serving yet (health: \(status))"
        case .unavailable:
            return "not serving yet (health: unavailable: \(response.head.message))"
        default:
            return nil
        }
    }

    private func closeWhenIdle(_ connection: ClientConnection) {
        if connection.outstanding.load(ordering: .relaxed) == 0 {
            connection.close()
        } else {
            connection.channel.eventLoop.scheduleTask(in: TimeAmount(configuration.defaultTimeout)) { connection.close() }
        }
    }
}
