import Logging
import Metrics
import MetricsTestKit
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Tracing
import XCTest

@testable import RPC

struct Echo: WireMessage, Equatable {
    var text: String
    var sleepMilliseconds: Int = 0

    init(text: String, sleepMilliseconds: Int = 0) {
        self.text = text
        self.sleepMilliseconds = sleepMilliseconds
    }

    init() { self.init(text: "") }

    mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "text", &text)
        try fields.field(2, "sleepMilliseconds", &sleepMilliseconds)
    }
}

extension RPCMethod where Request == Echo, Response == Echo {
    static let echo = RPCMethod(name: "test.echo", isIdempotent: true)
    static let echoOnce = RPCMethod(name: "test.echoOnce", isIdempotent: false)
}

let quietLogger = Logger(label: "rpc-test") { _ in SwiftLogNoOpLogHandler() }

/// Records what handlers saw, so tests can assert that cancellation reached the server.
final class HandlerLog: Sendable {
    private let state = NIOLockedValueBox<(cancelled: Int, served: [String])>((0, []))
    func recordCancelled() { state.withLockedValue { $0.cancelled += 1 } }
    func recordServed(_ name: String) { state.withLockedValue { $0.served.append(name) } }
    var cancelled: Int { state.withLockedValue { $0.cancelled } }
    var served: [String] { state.withLockedValue { $0.served } }
}

final class SharedCounter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

func echoRouter(name: String, log: HandlerLog = HandlerLog()) -> RPCRouter {
    var router = RPCRouter()
    let handler: RPCRouter.Handler<Echo, Echo> = { request, _ in
        if request.sleepMilliseconds > 0 {
            do {
                try await Task.sleep(for: .milliseconds(request.sleepMilliseconds))
            } catch {
                log.recordCancelled()
                throw error
            }
        }
        log.recordServed(name)
        return Echo(text: "\(name):\(request.text)")
    }
    router.register(.echo, handler: handler)
    router.register(.echoOnce, handler: handler)
    return router
}

/// An RPC server on loopback inside its own ServiceGroup, so a test can drain it (graceful
/// shutdown) or kill it (cancellation) independently of others.
struct TestServer {
    let server: RPCServer
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let address: SocketAddress

    static func start(
        router: RPCRouter, bind: RPCServerConfiguration.BindTarget = .tcp(host: "127.0.0.1", port: 0), maximumFrameSize: Int = 1 << 20,
        maximumConcurrentCalls: Int = 1024, configure: (inout RPCServerConfiguration) -> Void = { _ in },
        isServing: @escaping @Sendable () -> Bool = { true }
    ) async throws -> TestServer {
        var configuration = RPCServerConfiguration(
            bindTarget: bind, maximumFrameSize: maximumFrameSize, maximumConcurrentCallsPerConnection: maximumConcurrentCalls)
        configure(&configuration)
        let server = RPCServer(
            configuration: configuration, router: router, serviceName: "test", isServing: isServing, logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: quietLogger))
        let task = Task { try await group.run() }
        let address = try await server.localAddress()
        return TestServer(server: server, group: group, task: task, address: address)
    }

    var hostAndPort: String { "127.0.0.1:\(address.port ?? 0)" }

    func drain() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    func kill() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// A client running its maintenance loop for the duration of `body`.
func withClient<T: Sendable>(
    _ target: String,
    configure: (inout RPCClientConfiguration) -> Void = { _ in },
    resolver: any NameResolver = SystemNameResolver(),
    metricsFactory: any MetricsFactory = MetricsSystem.factory,
    _ body: (RPCClient) async throws -> T
) async throws -> T {
    var configuration = RPCClientConfiguration()
    configuration.reconnectBackoffCap = .milliseconds(200)
    configure(&configuration)
    let transport = SocketClientTransport(
        target: try RPCTarget(parsing: target), configuration: configuration, resolver: resolver, metricsFactory: metricsFactory,
        logger: quietLogger)
    let client = RPCClient(transport: transport, configuration: configuration, logger: quietLogger)
    let running = Task { try await client.run() }
    defer { running.cancel() }
    return try await body(client)
}

func assertRPCError(_ code: RPCStatusCode, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> some Any) async {
    do {
        _ = try await body()
        XCTFail("expected \(code), call succeeded", file: file, line: line)
    } catch let error as RPCError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
    } catch {
        XCTFail("expected RPCError \(code), got \(error)", file: file, line: line)
    }
}

/// Runs an in-process server and a client (both with `tracer`, when given) for the duration of `body`.
/// Which end of an in-process pair gets the tracer: a caller or a server without one is how a
/// trace starts in the middle of a system.
enum TracedSides { case both, server, client }

func withInProcess<T: Sendable>(
    router: RPCRouter,
    serverInterceptors: [any RPCServerInterceptor] = [],
    clientInterceptors: [any RPCClientInterceptor] = [],
    tracer: (any Tracer)? = nil,
    traced: TracedSides = .both,
    headSampler: HeadSampler? = nil,
    _ body: (RPCClient, ServiceGroup) async throws -> T
) async throws -> T {
    let transport = InProcessTransport(logger: quietLogger)
    let server = RPCServer(
        transport: transport.server, router: router, serviceName: "test", interceptors: serverInterceptors,
        tracer: traced == .client ? nil : tracer, headSampler: headSampler)
    let client = RPCClient(
        transport: transport.client, interceptors: clientInterceptors, tracer: traced == .server ? nil : tracer,
        headSampler: headSampler, logger: quietLogger)
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server, client], logger: quietLogger))
    let running = Task { try await group.run() }
    defer { running.cancel() }
    while client.readyConnectionCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
    return try await body(client, group)
}

/// A client's `rpc_client_endpoints` gauges for one target, read by state.
struct EndpointGauges {
    let metrics: TestMetrics
    /// The target as the metrics label it.
    let label: String

    init(_ metrics: TestMetrics, target: String) throws {
        self.metrics = metrics
        label = "\(try RPCTarget(parsing: target))"
    }

    func callAsFunction(_ state: String) -> Double? {
        try? metrics.expectGauge("rpc_client_endpoints", [("target", label), ("state", state)]).lastValue
    }
}
