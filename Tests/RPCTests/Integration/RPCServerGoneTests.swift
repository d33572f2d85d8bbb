import NIOCore
import NIOPosix
import XCTest

@testable import RPC

#if canImport(Glibc)
    import Glibc
#endif

/// A server that went away (restarted, stopped, its container gone) may leave an address where
/// connection attempts hang instead of being refused. Callers must then fail fast with
/// `unavailable`, not wait out the connect timeout on every call.
final class RPCServerGoneTests: XCTestCase {
    func testCallsFailFastWhileTheOnlyServerIsGoneAndItsAddressHangs() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "a"))
        let port = server.address.port ?? 0
        try await withClient(server.hostAndPort, configure: { $0.connectTimeout = .seconds(3) }) { client in
            _ = try await client.call(.echo, Echo(text: "warm"))
            await server.drain()
            // Where the server was, a listener that never accepts, its queue already full: new
            // connection attempts get no answer at all, like an address whose host is gone.
            let blackhole = try BlackholeListener(port: port)
            defer { blackhole.close() }
            try await Task.sleep(for: .milliseconds(100))

            for _ in 0..<3 {
                let started = ContinuousClock.now
                await assertRPCError(.unavailable) {
                    try await client.call(.echo, Echo(text: "x"), options: RPCCallOptions(timeout: .seconds(10)))
                }
                XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(500), "waited for a connection that cannot come")
            }
        }
    }
}

/// A TCP listener with a backlog of one that is filled at once and never accepted: the kernel
/// drops later SYNs, so connecting hangs until the client's own timeout.
private final class BlackholeListener {
    private var listener: Int32 = -1
    private var filler: Int32 = -1

    init(port: Int) throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        // NIO's address rather than a `sockaddr_in` of our own: its fields belong to whichever C
        // module the build loads first, which member import visibility then requires importing.
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let bound = address.withSockAddr { bind(listener, $0, socklen_t($1)) }
        guard bound == 0, listen(listener, 0) == 0 else { throw BlackholeError(message: "cannot listen on \(port): errno \(errno)") }
        // Fill the accept queue (a backlog of 0 still admits one connection).
        for _ in 0..<2 {
            let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = address.withSockAddr { connect(socketFD, $0, socklen_t($1)) }
            if filler < 0 { filler = socketFD }
        }
    }

    func close() {
        Glibc.close(listener)
        Glibc.close(filler)
    }
}

private struct BlackholeError: Error {
    var message: String
}

/// A server whose handler refuses before doing anything (its database is not ready yet, say)
/// answers "not processed", and the client retries the call on another server, even a call
/// that is not idempotent.
final class RPCNotProcessedTests: XCTestCase {
    func testACallRefusedUnprocessedIsRetriedOnAnotherServer() async throws {
        var notReady = RPCRouter()
        let refusal: RPCRouter.Handler<Echo, Echo> = { _, _ in
            throw RPCError(.unavailable, "not ready yet", wasProcessed: false)
        }
        notReady.register(.echo, handler: refusal)
        notReady.register(.echoOnce, handler: refusal)
        let starting = try await TestServer.start(router: notReady)
        defer { Task { await starting.kill() } }
        let ready = try await TestServer.start(router: echoRouter(name: "ready"))
        defer { Task { await ready.kill() } }

        // Half the first attempts meet the refusing server; the budget (a share of all calls,
        // tested elsewhere) is opened wide so that this test is about the retry itself.
        // Both servers connected first: a retry avoids the refusing server only when the other is ready.
        try await withClient(
            "\(starting.hostAndPort),\(ready.hostAndPort)",
            configure: {
                $0.retryBudgetRatio = 10
                $0.connectionsPerEndpoint = 1
            }
        ) { client in
            try await eventually { client.readyConnectionCount == 2 }
            for index in 0..<40 {
                let reply = try await client.call(.echoOnce, Echo(text: "\(index)"))
                XCTAssertEqual(reply.text, "ready:\(index)")
            }
        }
    }

    func testARefusalAfterWorkStartedIsNotRetried() async throws {
        var failing = RPCRouter()
        let failure: RPCRouter.Handler<Echo, Echo> = { _, _ in throw RPCError(.unavailable, "failed midway") }
        failing.register(.echoOnce, handler: failure)
        let server = try await TestServer.start(router: failing)
        defer { Task { await server.kill() } }
        try await withClient(server.hostAndPort) { client in
            do {
                _ = try await client.call(.echoOnce, Echo(text: "x"))
                XCTFail("expected unavailable")
            } catch let error as RPCError {
                XCTAssertEqual(error.code, .unavailable)
                XCTAssertTrue(error.wasProcessed, "a refusal without the flag counts as processed")
            }
        }
    }
}
