import NIOCore
import XCTest

@testable import RPC

/// Servers of two versions behind one target, as during a rolling upgrade: the newer one
/// serves a method the older one lacks. The handshake's catalog sends each call only where it
/// is served; a method served nowhere yet fails at once, unprocessed.
final class RPCMixedFleetTests: XCTestCase {
    static let shout = RPCMethod<Echo, Echo>(name: "test.shout", isIdempotent: false)
    static let shoutV2 = RPCMethod<Echo, Echo>(name: "test.shout", isIdempotent: false, version: 2)

    func testANewMethodIsCalledOnlyWhereItIsServed() async throws {
        let log = HandlerLog()
        var newer = echoRouter(name: "new", log: log)
        newer.register(Self.shout) { request, _ in
            log.recordServed("new")
            return Echo(text: request.text.uppercased())
        }
        let old = try await TestServer.start(router: echoRouter(name: "old", log: log))
        let new = try await TestServer.start(router: newer)
        defer {
            Task {
                await old.kill()
                await new.kill()
            }
        }
        try await withClient("\(old.hostAndPort),\(new.hostAndPort)", configure: { $0.connectionsPerEndpoint = 2 }) { client in
            try await eventually { client.readyConnectionCount == 4 }
            // Not idempotent and no retries needed: not one call may reach the old server.
            for index in 0..<200 {
                let reply = try await client.call(Self.shout, Echo(text: "hi \(index)"))
                XCTAssertEqual(reply.text, "HI \(index)")
            }
            XCTAssertEqual(log.served.filter { $0 == "old" }.count, 0)
            // The methods both serve still spread over both.
            for index in 0..<200 { _ = try await client.call(.echo, Echo(text: "\(index)")) }
            XCTAssertGreaterThan(log.served.filter { $0 == "old" }.count, 20)
        }
    }

    func testAMethodServedNowhereFailsAtOnceUnprocessed() async throws {
        let old = try await TestServer.start(router: echoRouter(name: "old"))
        defer { Task { await old.kill() } }
        try await withClient(old.hostAndPort, configure: { $0.maximumAttempts = 1 }) { client in
            try await eventually { client.readyConnectionCount > 0 }
            let started = ContinuousClock.now
            do {
                _ = try await client.call(Self.shoutV2, Echo(text: "x"), options: RPCCallOptions(timeout: .seconds(10)))
                XCTFail("a method no instance serves succeeded")
            } catch let error as RPCError {
                XCTAssertEqual(error.code, .unimplemented)
                XCTAssertFalse(error.wasProcessed)
                XCTAssertTrue(error.message.contains("test.shout@v2"), error.message)
            }
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(1), "no waiting for a method the fleet lacks")
        }
    }

    /// A peer that ignores the catalog (a raw client) is refused unprocessed, which a client
    /// would retry on another instance.
    func testAServerRefusesAMethodItLacksAsNotProcessed() async throws {
        let old = try await TestServer.start(router: echoRouter(name: "old"))
        defer { Task { await old.kill() } }
        let peer = try await RawPeer.connect(to: old.address)
        await peer.sendHello(nonce: HandshakeProof.makeNonce())
        await peer.send(frame: .request, callID: 1) { buffer in
            try? RequestHead(method: "test.shout", timeoutNanoseconds: 1_000_000_000, metadata: RPCMetadata()).write(to: &buffer)
            try? Echo(text: "x").encodeWire(into: &buffer)
        }
        await peer.wait(for: .seconds(5)) { $0.frames.contains { $0.type == .response } }
        let frame = try XCTUnwrap(peer.frames.first { $0.type == .response && $0.callID == 1 })
        var payload = frame.payload
        XCTAssertEqual(try ResponseHead(from: &payload).status, .unimplemented)
        XCTAssertTrue(frame.flags.contains(.notProcessed))
        XCTAssertTrue(RetryInterceptor.isSafeToRetry(RPCError(.unimplemented, "", wasProcessed: false), isIdempotent: false))
    }
}
