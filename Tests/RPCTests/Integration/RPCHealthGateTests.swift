import MetricsTestKit
import Synchronization
import XCTest

@testable import RPC

/// DNS lists an instance as soon as its container runs, before it is ready (a data service
/// still migrating): the client must send it nothing until its health says `serving`, rather
/// than let its refusals eat the retry budget. The CI failure this pins: scaling data up under
/// load, calls met the new instance before its migrations were done and came back 503.
final class RPCHealthGateTests: XCTestCase {
    func testAnInstanceNotServingYetGetsNoCallsUntilItIs() async throws {
        let ready = ReadyFlag()
        var startingRouter = RPCRouter()
        let handler: RPCRouter.Handler<Echo, Echo> = { request, _ in
            guard ready.value else { throw RPCError(.unavailable, "not ready yet", wasProcessed: false) }
            return Echo(text: "starting:\(request.text)")
        }
        startingRouter.register(.echo, handler: handler)
        let starting = try await TestServer.start(router: startingRouter, isServing: { ready.value })
        defer { Task { await starting.kill() } }
        let serving = try await TestServer.start(router: echoRouter(name: "serving"))
        defer { Task { await serving.kill() } }

        let metrics = TestMetrics()
        let target = "\(starting.hostAndPort),\(serving.hostAndPort)"
        let endpoints = try EndpointGauges(metrics, target: target)
        // No retries: a single call sent to the instance that is not ready fails the test.
        try await withClient(
            target,
            configure: {
                $0.maximumAttempts = 1
                $0.connectionsPerEndpoint = 1
            },
            metricsFactory: metrics
        ) { client in
            try await eventually { client.readyConnectionCount == 1 }
            // Several reconnect rounds (the backoff is capped at 200 ms here) meet a server that
            // accepts the connection and the handshake but is not serving.
            try await Task.sleep(for: .milliseconds(600))
            XCTAssertEqual(client.readyConnectionCount, 1)
            // Not serving is not failing: the address is neither ejected nor counted down.
            XCTAssertEqual(endpoints("not_serving"), 1)
            XCTAssertEqual(endpoints("ready"), 1)
            XCTAssertEqual(endpoints("ejected"), 0)
            XCTAssertEqual(try metrics.expectCounter("rpc_client_ejections_total", [("target", endpoints.label)]).totalValue, 0)
            for index in 0..<40 {
                let reply = try await client.call(.echo, Echo(text: "\(index)"))
                XCTAssertEqual(reply.text, "serving:\(index)")
            }

            ready.value = true
            try await eventually(timeout: .seconds(5)) { client.readyConnectionCount == 2 }
            XCTAssertEqual(endpoints("not_serving"), 0)
            XCTAssertEqual(endpoints("ready"), 2)
            var servedByTheNewOne = 0
            for index in 0..<40 {
                let reply = try await client.call(.echo, Echo(text: "\(index)"))
                if reply.text.hasPrefix("starting:") { servedByTheNewOne += 1 }
            }
            XCTAssertGreaterThan(servedByTheNewOne, 0, "the instance is serving now and must take its share")
        }
    }

    func testTheRPCToolSettingReachesAnInstanceThatIsNotServing() async throws {
        let starting = try await TestServer.start(router: echoRouter(name: "starting"), isServing: { false })
        defer { Task { await starting.kill() } }
        try await withClient(starting.hostAndPort, configure: { $0.requiresServingHealth = false }) { client in
            let health = try await client.call(.health, HealthRequest())
            XCTAssertEqual(health.status, .notServing)
        }
        // With the gate on, the same instance is never connected: calls fail with `unavailable`
        // and say why.
        try await withClient(starting.hostAndPort) { client in
            do {
                _ = try await client.call(.health, HealthRequest(), options: RPCCallOptions(timeout: .seconds(3)))
                XCTFail("a client with the health gate reached an instance that is not serving")
            } catch let error as RPCError {
                XCTAssertEqual(error.code, .unavailable, "\(error)")
                XCTAssertTrue(error.message.contains("not serving"), error.message)
            }
        }
    }
}

private final class ReadyFlag: Sendable {
    private let storage = Atomic<Bool>(false)
    var value: Bool {
        get { storage.load(ordering: .relaxed) }
        set { storage.store(newValue, ordering: .relaxed) }
    }
}
