import NIOConcurrencyHelpers
import NIOCore
import XCTest

@testable import RPC

/// Connections that would otherwise be kept forever: silent before the handshake, a frame
/// half sent, nothing going on; and more connections than the server allows.
final class RPCConnectionLimitsTests: XCTestCase {
    private func server(_ configure: @escaping (inout RPCServerConfiguration) -> Void) async throws -> TestServer {
        try await TestServer.start(router: echoRouter(name: "l"), configure: configure)
    }

    func testPeerThatNeverCompletesTheHandshakeIsClosed() async throws {
        let server = try await server { $0.handshakeTimeout = .milliseconds(200) }
        defer { Task { await server.kill() } }
        let silent = try await RawPeer.connect(to: server.address)
        var halfHello = ByteBuffer()
        halfHello.writeFrame(type: .hello, callID: 0) { Hello(nonce: HandshakeProof.makeNonce()).write(to: &$0) }
        let partial = try await RawPeer.connect(to: server.address)
        await partial.send(halfHello.getSlice(at: 0, length: 20) ?? ByteBuffer())
        let started = ContinuousClock.now
        let held1 = await silent.waitForClose(within: .seconds(3))
        XCTAssertTrue(held1, "a silent peer was kept")
        let held2 = await partial.waitForClose(within: .seconds(3))
        XCTAssertTrue(held2, "a peer stuck in the middle of its hello was kept")
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(150), "closed before the timeout")
        XCTAssertEqual(silent.frames.count + partial.frames.count, 0)
    }

    func testUnauthenticatedPeerMayNotBufferMoreThanAHandshake() async throws {
        let server = try await server { $0.secret = RPCAuthenticationTests.secret }
        defer { Task { await server.kill() } }
        let peer = try await RawPeer.connect(to: server.address)
        await peer.sendHello(nonce: HandshakeProof.makeNonce())
        _ = try await peer.serverHello()
        // The start of a frame at the 1 MiB limit, sent instead of the proof.
        var big = ByteBuffer()
        big.writeInteger(UInt32(1 << 20 - 4))
        big.writeBytes([FrameType.authenticate.rawValue, 0, 0, 0, 0, 0])
        big.writeBytes([UInt8](repeating: 0, count: 4096))
        await peer.send(big)
        let held3 = await peer.waitForClose(within: .seconds(3))
        XCTAssertTrue(held3)
    }

    func testStalledFrameIsClosed() async throws {
        let server = try await server {
            $0.frameTimeout = .milliseconds(300)
            $0.idleTimeout = .seconds(60)
        }
        defer { Task { await server.kill() } }
        let peer = try await RawPeer.connect(to: server.address)
        await peer.sendHello(nonce: HandshakeProof.makeNonce())
        _ = try await peer.serverHello()
        try await peer.sendEcho(callID: 1, text: "complete")
        let held4 = await peer.wait(for: .seconds(5)) { $0.frames.contains { $0.type == .response } }
        XCTAssertTrue(held4)
        // Half of a 64 KiB request, then nothing: it would pin those bytes forever.
        var frame = ByteBuffer()
        frame.writeFrame(type: .request, callID: 2) { $0.writeBytes([UInt8](repeating: 1, count: 64 * 1024)) }
        await peer.send(frame.getSlice(at: 0, length: 32 * 1024) ?? ByteBuffer())
        let started = ContinuousClock.now
        let held5 = await peer.waitForClose(within: .seconds(5))
        XCTAssertTrue(held5, "a stalled frame kept its connection")
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(250))
    }

    func testIdleConnectionGetsGoAwayThenCloseButKeepaliveKeepsClientsConnected() async throws {
        let log = RemotePorts()
        var router = RPCRouter()
        router.register(.echo) { request, context in
            log.record(context.remoteAddress?.port)
            return request
        }
        let server = try await TestServer.start(router: router) { $0.idleTimeout = .milliseconds(400) }
        defer { Task { await server.kill() } }

        let idle = try await RawPeer.connect(to: server.address)
        await idle.sendHello(nonce: HandshakeProof.makeNonce())
        let held6 = await idle.waitForClose(within: .seconds(5))
        XCTAssertTrue(held6, "an idle connection was kept")
        XCTAssertEqual(idle.frames.map(\.type), [.hello, .catalog, .goAway], "an idle close says why, so a call sent meanwhile is retried")

        // A client pinging more often than the idle timeout keeps its one connection.
        try await withClient(
            server.hostAndPort,
            configure: {
                $0.keepaliveInterval = .milliseconds(100)
                $0.maximumAttempts = 1
                $0.connectionsPerEndpoint = 1
            }
        ) { client in
            for index in 0..<4 {
                _ = try await client.call(.echo, Echo(text: "\(index)"))
                try await Task.sleep(for: .milliseconds(400))
            }
        }
        XCTAssertEqual(Set(log.ports).count, 1, "the client's connection was closed as idle while it was pinging")
    }

    func testConnectionsBeyondTheLimitAreClosedAtOnce() async throws {
        let server = try await server { $0.maximumConnections = 2 }
        defer { Task { await server.kill() } }
        var kept: [RawPeer] = []
        for _ in 0..<2 {
            let peer = try await RawPeer.connect(to: server.address)
            await peer.sendHello(nonce: HandshakeProof.makeNonce())
            _ = try await peer.serverHello()
            kept.append(peer)
        }
        let excess = try await RawPeer.connect(to: server.address)
        await excess.sendHello(nonce: HandshakeProof.makeNonce())
        let held7 = await excess.waitForClose(within: .seconds(2))
        XCTAssertTrue(held7, "a connection beyond the limit was kept")
        XCTAssertEqual(excess.frames.count, 0)
        XCTAssertFalse(kept[0].isClosed || kept[1].isClosed, "the connections within the limit are unaffected")

        await kept[0].close()
        try await Task.sleep(for: .milliseconds(100))
        try await withClient(server.hostAndPort) { client in
            let text = try await client.call(.echo, Echo(text: "room again")).text
            XCTAssertEqual(text, "l:room again")
        }
        for peer in kept { await peer.close() }
    }
}

final class RemotePorts: Sendable {
    private let state = NIOLockedValueBox<[Int]>([])
    func record(_ port: Int?) { state.withLockedValue { $0.append(port ?? -1) } }
    var ports: [Int] { state.withLockedValue { $0 } }
}
