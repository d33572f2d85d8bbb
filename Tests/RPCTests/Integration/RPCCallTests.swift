import NIOCore
import NIOPosix
import XCTest

@testable import RPC

final class RPCCallTests: XCTestCase {
    func testUnaryCallOverTCPAndHealth() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "a"))
        defer { Task { await server.kill() } }
        try await withClient(server.hostAndPort) { client in
            let reply = try await client.call(.echo, Echo(text: "hi"))
            XCTAssertEqual(reply.text, "a:hi")
            let health = try await client.call(.health, HealthRequest())
            XCTAssertEqual(health, HealthResponse(status: .serving, service: "test"))
        }
    }

    func testUnaryCallOverUnixSocket() async throws {
        let path = "/tmp/rpc-test-\(UInt32.random(in: 0...UInt32.max)).sock"
        let server = try await TestServer.start(router: echoRouter(name: "u"), bind: .unix(path: path))
        defer { Task { await server.kill() } }
        try await withClient("unix:\(path)") { client in
            let reply = try await client.call(.echo, Echo(text: "over unix"))
            XCTAssertEqual(reply.text, "u:over unix")
        }
    }

    func testCallsSpreadOverSeveralUnixSockets() async throws {
        let paths = (0..<2).map { _ in "/tmp/rpc-test-\(UInt32.random(in: 0...UInt32.max)).sock" }
        let first = try await TestServer.start(router: echoRouter(name: "a"), bind: .unix(path: paths[0]))
        defer { Task { await first.kill() } }
        let second = try await TestServer.start(router: echoRouter(name: "b"), bind: .unix(path: paths[1]))
        defer { Task { await second.kill() } }
        try await withClient(paths.map { "unix:\($0)" }.joined(separator: ",")) { client in
            var answeredBy: Set<String> = []
            for index in 0..<200 where answeredBy.count < 2 {
                let reply = try await client.call(.echo, Echo(text: "\(index)"))
                answeredBy.insert(String(reply.text.prefix(1)))
            }
            XCTAssertEqual(answeredBy, ["a", "b"])
        }
    }

    func testJSONCallAndUnknownMethod() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "j"))
        defer { Task { await server.kill() } }
        try await withClient(server.hostAndPort) { client in
            let reply = try await client.callJSON(method: "test.echo", body: ByteBuffer(string: #"{"text":"x","sleepMilliseconds":0}"#))
            XCTAssertTrue(String(buffer: reply).contains(#""text":"j:x""#), String(buffer: reply))
            await assertRPCError(.unimplemented) { try await client.callJSON(method: "no.such", body: ByteBuffer(string: "{}")) }
            await assertRPCError(.invalidArgument) { try await client.callJSON(method: "test.echo", body: ByteBuffer(string: "[1,")) }
        }
    }

    func testThousandConcurrentCallsOnOneConnection() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "m"))
        defer { Task { await server.kill() } }
        try await withClient(server.hostAndPort, configure: { $0.connectionsPerEndpoint = 1 }) { client in
            _ = try await client.call(.echo, Echo(text: "warm"))
            XCTAssertEqual(client.readyConnectionCount, 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let reply = try await client.call(.echo, Echo(text: "\(index)", sleepMilliseconds: index % 7))
                        XCTAssertEqual(reply.text, "m:\(index)")
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    func testResponsesComeBackOutOfOrder() async throws {
        let log = HandlerLog()
        let server = try await TestServer.start(router: echoRouter(name: "o", log: log))
        defer { Task { await server.kill() } }
        try await withClient(server.hostAndPort, configure: { $0.connectionsPerEndpoint = 1 }) { client in
            async let slow = client.call(.echo, Echo(text: "slow", sleepMilliseconds: 300))
            try await Task.sleep(for: .milliseconds(20))
            let fastStarted = ContinuousClock.now
            let fast = try await client.call(.echo, Echo(text: "fast"))
            XCTAssertEqual(fast.text, "o:fast")
            XCTAssertLessThan(ContinuousClock.now - fastStarted, .milliseconds(250), "fast call was not held behind the slow one")
            let slowReply = try await slow
            XCTAssertEqual(slowReply.text, "o:slow")
        }
    }

    func testDeadlineExceededArrivesByDeadlineAndCancelsHandler() async throws {
        let log = HandlerLog()
        let server = try await TestServer.start(router: echoRouter(name: "d", log: log))
        defer { Task { await server.kill() } }
        try await withClient(server.hostAndPort) { client in
            _ = try await client.call(.echo, Echo(text: "warm"))
            let started = ContinuousClock.now
            await assertRPCError(.deadlineExceeded) {
                try await client.call(
                    .echo, Echo(text: "late", sleepMilliseconds: 5000), options: RPCCallOptions(timeout: .milliseconds(200)))
            }
            XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(300))
            try await eventually { log.cancelled == 1 }
        }
    }

    func testClientCancellationReachesTheHandler() async throws {
        let log = HandlerLog()
        let server = try await TestServer.start(router: echoRouter(name: "c", log: log))
        defer { Task { await server.kill() } }
        try await withClient(server.hostAndPort) { client in
            _ = try await client.call(.echo, Echo(text: "warm"))
            let call = Task { try await client.call(.echo, Echo(text: "long", sleepMilliseconds: 10_000)) }
            try await Task.sleep(for: .milliseconds(100))
            let cancelledAt = ContinuousClock.now
            call.cancel()
            await assertRPCError(.cancelled) { try await call.value }
            XCTAssertLessThan(ContinuousClock.now - cancelledAt, .milliseconds(100))
            try await eventually { log.cancelled == 1 }
        }
    }

    func testConcurrencyLimitAnswersResourceExhausted() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "l"), maximumConcurrentCalls: 2)
        defer { Task { await server.kill() } }
        try await withClient(
            server.hostAndPort,
            configure: {
                $0.connectionsPerEndpoint = 1
                $0.maximumAttempts = 1
            }
        ) { client in
            async let first = client.call(.echo, Echo(text: "1", sleepMilliseconds: 300))
            async let second = client.call(.echo, Echo(text: "2", sleepMilliseconds: 300))
            try await Task.sleep(for: .milliseconds(100))
            await assertRPCError(.resourceExhausted) { try await client.call(.echo, Echo(text: "3")) }
            _ = try await (first, second)
        }
    }

    func testNoServerFailsFastWithUnavailable() async throws {
        // A port that was just free: nothing listens there.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress?.port ?? 1
        try await probe.close()
        try await withClient("127.0.0.1:\(port)") { client in
            let started = ContinuousClock.now
            await assertRPCError(.unavailable) {
                try await client.call(.echo, Echo(text: "x"), options: RPCCallOptions(timeout: .seconds(10)))
            }
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(3), "must fail within the connect timeout, not the deadline")
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(2), file: StaticString = #filePath, line: UInt = #line, _ condition: () -> Bool) async throws {
    let until = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < until else {
            XCTFail("condition not met within \(timeout)", file: file, line: line)
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
