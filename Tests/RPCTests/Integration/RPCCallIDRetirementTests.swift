import NIOConcurrencyHelpers
import NIOCore
import XCTest

@testable import RPC

/// A connection's call ids must never wrap: the client replaces the connection before they
/// run out, and the calls still in flight on the old one finish there. A small injected id
/// space stands in for the 2^32 ids of a real connection.
final class RPCCallIDRetirementTests: XCTestCase {
    /// What the server saw of each call: the connection (client port) and the call id.
    final class Seen: Sendable {
        private let state = NIOLockedValueBox<[(port: Int, callID: UInt32)]>([])
        func record(_ context: RPCCallContext) { state.withLockedValue { $0.append((context.remoteAddress?.port ?? -1, context.callID)) } }
        var ports: Set<Int> { Set(state.withLockedValue { $0.map(\.port) }) }
        var highestCallID: UInt32 { state.withLockedValue { $0.map(\.callID).max() ?? 0 } }
    }

    private func router(_ seen: Seen) -> RPCRouter {
        var router = RPCRouter()
        router.register(.echo) { request, context in
            seen.record(context)
            if request.sleepMilliseconds > 0 { try await Task.sleep(for: .milliseconds(request.sleepMilliseconds)) }
            return Echo(text: "ok:\(request.text)")
        }
        return router
    }

    func testConnectionIsReplacedBeforeItsCallIDsRunOut() async throws {
        let seen = Seen()
        let server = try await TestServer.start(router: router(seen))
        defer { Task { await server.kill() } }
        try await withClient(
            server.hostAndPort,
            configure: {
                $0.connectionsPerEndpoint = 1
                $0.callIDSpace = CallIDSpace(retireAfter: 4, lastUsable: 8)
            }
        ) { client in
            for index in 0..<60 {
                let reply = try await client.call(.echo, Echo(text: "\(index)"))
                XCTAssertEqual(reply.text, "ok:\(index)")
            }
        }
        XCTAssertLessThanOrEqual(seen.highestCallID, 8, "an id beyond the connection's space was sent")
        XCTAssertGreaterThanOrEqual(seen.ports.count, 60 / 8, "calls were spread over fresh connections")
    }

    func testCallsInFlightOnARetiredConnectionFinish() async throws {
        let seen = Seen()
        let server = try await TestServer.start(router: router(seen))
        defer { Task { await server.kill() } }
        try await withClient(
            server.hostAndPort,
            configure: {
                $0.connectionsPerEndpoint = 1
                $0.callIDSpace = CallIDSpace(retireAfter: 3, lastUsable: 6)
            }
        ) { client in
            _ = try await client.call(.echo, Echo(text: "warm"))
            async let slow = client.call(.echo, Echo(text: "slow", sleepMilliseconds: 600), options: RPCCallOptions(timeout: .seconds(10)))
            try await Task.sleep(for: .milliseconds(50))
            // Pushes the first connection past its retirement point while the slow call runs there.
            for index in 0..<20 {
                let text = try await client.call(.echo, Echo(text: "\(index)")).text
                XCTAssertEqual(text, "ok:\(index)")
            }
            let reply = try await slow
            XCTAssertEqual(reply.text, "ok:slow", "the call in flight on the retired connection was lost")
        }
        XCTAssertLessThanOrEqual(seen.highestCallID, 6)
        XCTAssertGreaterThan(seen.ports.count, 1)
    }

    func testConcurrentCallersAcrossRetirements() async throws {
        let seen = Seen()
        let server = try await TestServer.start(router: router(seen))
        defer { Task { await server.kill() } }
        try await withClient(
            server.hostAndPort,
            configure: {
                $0.connectionsPerEndpoint = 1
                // Room for the 8 callers between retirement and the last id, as the default's two
                // billion ids leave room for any number of callers.
                $0.callIDSpace = CallIDSpace(retireAfter: 20, lastUsable: 60)
            }
        ) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<8 {
                    group.addTask {
                        for index in 0..<25 {
                            let reply = try await client.call(.echo, Echo(text: "\(caller)-\(index)"))
                            XCTAssertEqual(reply.text, "ok:\(caller)-\(index)")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        XCTAssertLessThanOrEqual(seen.highestCallID, 60)
        XCTAssertGreaterThanOrEqual(seen.ports.count, 4)
    }
}
