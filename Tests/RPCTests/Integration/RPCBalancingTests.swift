import MetricsTestKit
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import XCTest

@testable import RPC

final class RPCBalancingTests: XCTestCase {
    func testCallsSpreadOverAllServers() async throws {
        let log = HandlerLog()
        let a = try await TestServer.start(router: echoRouter(name: "a", log: log))
        let b = try await TestServer.start(router: echoRouter(name: "b", log: log))
        defer {
            Task {
                await a.kill()
                await b.kill()
            }
        }
        // Two connections per server: balancing covers connections as well as servers.
        try await withClient("\(a.hostAndPort),\(b.hostAndPort)", configure: { $0.connectionsPerEndpoint = 2 }) { client in
            try await eventually { client.readyConnectionCount == 4 }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<400 {
                    group.addTask { _ = try await client.call(.echo, Echo(text: "\(index)", sleepMilliseconds: 1)) }
                }
                try await group.waitForAll()
            }
            let served = log.served
            XCTAssertGreaterThan(served.filter { $0 == "a" }.count, 100)
            XCTAssertGreaterThan(served.filter { $0 == "b" }.count, 100)
        }
    }

    func testDrainFinishesInFlightCallsAndNewCallsGoElsewhere() async throws {
        let a = try await TestServer.start(router: echoRouter(name: "a"))
        let b = try await TestServer.start(router: echoRouter(name: "b"))
        defer { Task { await b.kill() } }
        try await withClient(
            "\(a.hostAndPort),\(b.hostAndPort)",
            configure: {
                $0.maximumAttempts = 1
                $0.connectionsPerEndpoint = 2
            }
        ) { client in
            try await eventually { client.readyConnectionCount == 4 }
            // Slow calls on both servers, then drain a while they run.
            let inFlight = (0..<20).map { index in
                Task { try await client.call(.echoOnce, Echo(text: "\(index)", sleepMilliseconds: 400)) }
            }
            try await Task.sleep(for: .milliseconds(100))
            let drained = Task { await a.drain() }
            try await Task.sleep(for: .milliseconds(50))
            for index in 0..<50 {
                let reply = try await client.call(.echoOnce, Echo(text: "new\(index)"))
                XCTAssertEqual(reply.text, "b:new\(index)", "new calls go to the server that is not draining")
            }
            for call in inFlight {
                let reply = try await call.value
                XCTAssertTrue(reply.text.hasPrefix("a:") || reply.text.hasPrefix("b:"))
            }
            await drained.value
        }
    }

    /// Calls outstanding per address, summed over its connections, back to zero once answered.
    func testOutstandingCallsAreCountedPerEndpoint() async throws {
        let a = try await TestServer.start(router: echoRouter(name: "a"))
        defer { Task { await a.kill() } }
        let metrics = TestMetrics()
        let label = "\(try RPCTarget(parsing: a.hostAndPort))"
        let endpoint = [("target", label), ("endpoint", a.hostAndPort)]
        try await withClient(a.hostAndPort, configure: { $0.connectionsPerEndpoint = 2 }, metricsFactory: metrics) { client in
            try await eventually { client.readyConnectionCount == 2 }
            try await withThrowingTaskGroup(of: Void.self) { calls in
                for index in 0..<3 {
                    calls.addTask { _ = try await client.call(.echo, Echo(text: "\(index)", sleepMilliseconds: 300)) }
                }
                try await Task.sleep(for: .milliseconds(150))
                XCTAssertEqual(try metrics.expectMeter("rpc_client_endpoint_calls_outstanding", endpoint).lastValue, 3)
                try await calls.waitForAll()
            }
            XCTAssertEqual(try metrics.expectMeter("rpc_client_endpoint_calls_outstanding", endpoint).lastValue, 0)
        }
    }

    func testKilledServerIsEjectedAndCallsSucceedOnTheOther() async throws {
        let a = try await TestServer.start(router: echoRouter(name: "a"))
        let b = try await TestServer.start(router: echoRouter(name: "b"))
        defer { Task { await b.kill() } }
        let metrics = TestMetrics()
        let target = "\(a.hostAndPort),\(b.hostAndPort)"
        let endpoints = try EndpointGauges(metrics, target: target)
        try await withClient(
            target,
            configure: {
                $0.ejectionThreshold = 2
                $0.connectionsPerEndpoint = 2
            },
            metricsFactory: metrics
        ) { client in
            try await eventually { client.readyConnectionCount == 4 }
            XCTAssertEqual(endpoints("ready"), 2)
            let failures = SharedCounter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for index in 0..<60 {
                            do {
                                _ = try await client.call(.echo, Echo(text: "\(worker)-\(index)", sleepMilliseconds: 2))
                            } catch {
                                failures.increment()
                            }
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(50))
                await a.kill()
                try await group.waitForAll()
            }
            XCTAssertEqual(failures.value, 0, "idempotent calls on the killed server are retried on the other")
            try await eventually { client.readyConnectionCount == 2 }
            try await eventually { endpoints("ejected") == 1 }
            XCTAssertEqual(endpoints("ready"), 1)
            XCTAssertEqual(try metrics.expectCounter("rpc_client_ejections_total", [("target", endpoints.label)]).totalValue, 1)
            let reply = try await client.call(.echo, Echo(text: "after"))
            XCTAssertEqual(reply.text, "b:after")
        }
    }

    func testDNSTargetPicksUpNewAndRemovedAddresses() async throws {
        let a = try await TestServer.start(router: echoRouter(name: "a"))
        let b = try await TestServer.start(router: echoRouter(name: "b"))
        defer {
            Task {
                await a.kill()
                await b.kill()
            }
        }
        let resolver = FakeResolver(addresses: [a.address])
        try await withClient(
            "dns://workers:7001",
            configure: {
                $0.resolveInterval = .milliseconds(50)
                $0.connectionsPerEndpoint = 2
            }, resolver: resolver
        ) { client in
            let first = try await client.call(.echo, Echo(text: "1"))
            XCTAssertEqual(first.text, "a:1")
            resolver.set([a.address, b.address])
            try await eventually { client.readyConnectionCount == 4 }
            resolver.set([b.address])
            try await eventually { client.readyConnectionCount == 2 }
            for index in 0..<20 {
                let reply = try await client.call(.echo, Echo(text: "\(index)"))
                XCTAssertEqual(reply.text, "b:\(index)")
            }
        }
    }
}

/// Stands in for DNS: the test decides which addresses a name has right now.
final class FakeResolver: NameResolver {
    private let addresses: NIOLockedValueBox<[SocketAddress]>
    init(addresses: [SocketAddress]) { self.addresses = NIOLockedValueBox(addresses) }
    func set(_ new: [SocketAddress]) { addresses.withLockedValue { $0 = new } }
    func resolve(host: String, port: Int) async throws -> [SocketAddress] { addresses.withLockedValue { $0 } }
}

/// A client that is shut down while its connections are open must close them and return,
/// or every service using one would hang on SIGTERM until its drain timeout.
final class RPCClientShutdownTests: XCTestCase {
    func testGracefulShutdownWithOpenConnectionsReturnsPromptly() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "s"))
        defer { Task { await server.kill() } }
        let client = RPCClient(target: try RPCTarget(parsing: server.hostAndPort), logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [client], logger: quietLogger))
        let running = Task { try await group.run() }
        _ = try await client.call(.echo, Echo(text: "connected"))
        XCTAssertGreaterThan(client.readyConnectionCount, 0)

        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
        XCTAssertEqual(client.readyConnectionCount, 0)
    }
}

/// The first calls of a client that has just started must wait for its first connections,
/// not fail as if every server were down.
final class RPCClientStartupTests: XCTestCase {
    func testCallsMadeRightAfterStartWaitForTheFirstConnection() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "first"))
        defer { Task { await server.kill() } }
        for _ in 0..<20 {
            let client = RPCClient(target: try RPCTarget(parsing: server.hostAndPort), logger: quietLogger)
            let running = Task { try await client.run() }
            let reply = try await client.call(.echo, Echo(text: "now"))
            XCTAssertEqual(reply.text, "first:now")
            running.cancel()
            _ = try? await running.value
        }
    }
}
