import NIOCore
import NIOPosix
import XCTest

@testable import RPC

/// Servers with a secret against peers with the right one, a wrong one, none, and a replayed
/// proof: only the first may call anything; the others get nothing but a closed connection.
final class RPCAuthenticationTests: XCTestCase {
    static let secret = RPCSecret("the-test-deployments-shared-rpc-secret!")!
    static let wrongSecret = RPCSecret("somebody-elses-secret-also-32-bytes-long")!

    private func authenticatedServer(
        log: HandlerLog = HandlerLog(), bind: RPCServerConfiguration.BindTarget = .tcp(host: "127.0.0.1", port: 0)
    ) async throws -> TestServer {
        try await TestServer.start(router: echoRouter(name: "s", log: log), bind: bind) { $0.secret = Self.secret }
    }

    func testRightSecretWorksOverTCPAndUnixSockets() async throws {
        let tcp = try await authenticatedServer()
        defer { Task { await tcp.kill() } }
        let path = "/tmp/rpc-auth-\(UInt32.random(in: 0...UInt32.max)).sock"
        let unix = try await authenticatedServer(bind: .unix(path: path))
        defer { Task { await unix.kill() } }
        for target in [tcp.hostAndPort, "unix:\(path)"] {
            try await withClient(target, configure: { $0.secret = Self.secret }) { client in
                let reply = try await client.call(.echo, Echo(text: target))
                XCTAssertEqual(reply.text, "s:\(target)")
                let many = try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<50 { group.addTask { try await client.call(.echo, Echo(text: "\(index)")).text } }
                    return try await group.reduce(into: 0) { count, _ in count += 1 }
                }
                XCTAssertEqual(many, 50)
            }
        }
    }

    /// The raw handshake with the right proof gets answers: the refusals below are about the
    /// proof, not about how the test talks.
    func testRawPeerWithTheRightProofCanCall() async throws {
        let server = try await authenticatedServer()
        defer { Task { await server.kill() } }
        let peer = try await RawPeer.connect(to: server.address)
        defer { Task { await peer.close() } }
        let clientNonce = HandshakeProof.makeNonce()
        await peer.sendHello(nonce: clientNonce)
        let hello = try await peer.serverHello()
        XCTAssertTrue(HandshakeProof.isValid(hello.proof, .server, secret: Self.secret, clientNonce: clientNonce, serverNonce: hello.nonce))
        let proof = HandshakeProof.make(.client, secret: Self.secret, clientNonce: clientNonce, serverNonce: hello.nonce)
        await peer.send(frame: .authenticate) { $0.writeBytes(proof) }
        try await peer.sendEcho(callID: 1, text: "raw")
        let held1 = await peer.wait(for: .seconds(5)) { $0.frames.contains { $0.type == .response } }
        XCTAssertTrue(held1)
        XCTAssertFalse(peer.isClosed)
    }

    func testUnauthenticatedPeersGetNothingButAClosedConnection() async throws {
        let log = HandlerLog()
        let server = try await authenticatedServer(log: log)
        defer { Task { await server.kill() } }

        // 1. A hello and a request, no proof at all (what a client of the old protocol or a
        //    curious scanner sends).
        let noProof = try await RawPeer.connect(to: server.address)
        await noProof.sendHello(nonce: HandshakeProof.makeNonce())
        try await noProof.sendEcho(callID: 1, text: "no proof")
        let held2 = await noProof.waitForClose(within: .seconds(5))
        XCTAssertTrue(held2, "peer without a proof kept its connection")

        // 2. A proof made with the wrong secret.
        let wrong = try await RawPeer.connect(to: server.address)
        let wrongNonce = HandshakeProof.makeNonce()
        await wrong.sendHello(nonce: wrongNonce)
        let wrongHello = try await wrong.serverHello()
        let wrongProof = HandshakeProof.make(.client, secret: Self.wrongSecret, clientNonce: wrongNonce, serverNonce: wrongHello.nonce)
        await wrong.send(frame: .authenticate) { $0.writeBytes(wrongProof) }
        try await wrong.sendEcho(callID: 1, text: "wrong secret")
        let held3 = await wrong.waitForClose(within: .seconds(5))
        XCTAssertTrue(held3, "peer with the wrong secret kept its connection")

        // 3. A valid proof recorded from one connection, replayed on another with the same
        //    client nonce.
        let recordedNonce = HandshakeProof.makeNonce()
        let original = try await RawPeer.connect(to: server.address)
        await original.sendHello(nonce: recordedNonce)
        let originalHello = try await original.serverHello()
        let recordedProof = HandshakeProof.make(.client, secret: Self.secret, clientNonce: recordedNonce, serverNonce: originalHello.nonce)
        await original.close()
        let replay = try await RawPeer.connect(to: server.address)
        await replay.sendHello(nonce: recordedNonce)
        let replayHello = try await replay.serverHello()
        XCTAssertNotEqual(replayHello.nonce, originalHello.nonce, "every connection gets a fresh challenge")
        await replay.send(frame: .authenticate) { $0.writeBytes(recordedProof) }
        try await replay.sendEcho(callID: 1, text: "replayed")
        let held4 = await replay.waitForClose(within: .seconds(5))
        XCTAssertTrue(held4, "replayed proof kept its connection")

        // 4. The server's own proof reflected back as the client's.
        let reflect = try await RawPeer.connect(to: server.address)
        await reflect.sendHello(nonce: HandshakeProof.makeNonce())
        let reflectHello = try await reflect.serverHello()
        await reflect.send(frame: .authenticate) { $0.writeBytes(reflectHello.proof) }
        try await reflect.sendEcho(callID: 1, text: "reflected")
        let held5 = await reflect.waitForClose(within: .seconds(5))
        XCTAssertTrue(held5, "reflected proof kept its connection")

        // 5. A request before any hello.
        let early = try await RawPeer.connect(to: server.address)
        try await early.sendEcho(callID: 1, text: "no hello")
        let held6 = await early.waitForClose(within: .seconds(5))
        XCTAssertTrue(held6)

        for peer in [noProof, wrong, replay, reflect, early] {
            XCTAssertEqual(peer.frames.filter { $0.type != .hello }.map(\.type), [], "an unauthenticated peer got more than the challenge")
        }
        XCTAssertEqual(log.served, [], "an unauthenticated peer ran a method")
        // The server is fine for those who know the secret.
        try await withClient(server.hostAndPort, configure: { $0.secret = Self.secret }) { client in
            let text = try await client.call(.echo, Echo(text: "after")).text
            XCTAssertEqual(text, "s:after")
        }
    }

    func testWrongSecretFailsUnauthenticatedNamingTheEndpointWithoutHammeringIt() async throws {
        let server = try await authenticatedServer()
        defer { Task { await server.kill() } }
        try await withClient(server.hostAndPort, configure: { $0.secret = Self.wrongSecret }) { client in
            let started = ContinuousClock.now
            for _ in 0..<5 {
                do {
                    _ = try await client.call(.echo, Echo(text: "x"), options: RPCCallOptions(timeout: .seconds(10)))
                    XCTFail("a client with the wrong secret got an answer")
                } catch let error as RPCError {
                    XCTAssertEqual(error.code, .unauthenticated, "\(error)")
                    XCTAssertTrue(
                        error.message.contains("127.0.0.1") && error.message.contains("\(server.address.port ?? 0)"), error.message)
                    XCTAssertTrue(error.message.contains("RPC_SECRET"), error.message)
                    XCTAssertFalse(error.wasProcessed)
                }
            }
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(3), "configuration errors fail fast, not at the deadline")
        }
        try await withClient(server.hostAndPort) { client in
            await assertRPCError(.unauthenticated) { try await client.call(.echo, Echo(text: "no secret")) }
        }
        let plain = try await TestServer.start(router: echoRouter(name: "p"))
        defer { Task { await plain.kill() } }
        try await withClient(plain.hostAndPort, configure: { $0.secret = Self.secret }) { client in
            await assertRPCError(.unauthenticated) { try await client.call(.echo, Echo(text: "server without secret")) }
        }
    }

    /// A server that answers every hello with a proof made from another secret, counting the
    /// connections it gets: a misconfigured client must not reconnect in a tight loop.
    func testMisconfiguredClientBacksOff() async throws {
        let accepted = SharedCounter()
        let impostor = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                accepted.increment()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProvingServer(secret: Self.wrongSecret))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { impostor.close(promise: nil) }
        try await withClient(
            "127.0.0.1:\(impostor.localAddress?.port ?? 0)",
            configure: {
                $0.secret = Self.secret
                $0.reconnectBackoffBase = .milliseconds(1)
                $0.reconnectBackoffCap = .milliseconds(5)
                $0.connectionsPerEndpoint = 1
            }
        ) { client in
            let until = ContinuousClock.now + .milliseconds(1500)
            var failures = 0
            while ContinuousClock.now < until {
                await assertRPCError(.unauthenticated) { try await client.call(.echo, Echo(text: "x")) }
                failures += 1
                try await Task.sleep(for: .milliseconds(20))
            }
            XCTAssertGreaterThan(failures, 10)
        }
        XCTAssertEqual(accepted.value, 1, "reconnected despite an authentication failure")
    }
}

private final class ProvingServer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let secret: RPCSecret
    init(secret: RPCSecret) { self.secret = secret }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard let frame = try? FrameDecoder(maximumFrameSize: 1024).decodeFrame(from: &bytes), frame.type == .hello,
            let hello = try? Hello(from: frame.payload)
        else { return }
        let nonce = HandshakeProof.makeNonce()
        let proof = HandshakeProof.make(.server, secret: secret, clientNonce: hello.nonce, serverNonce: nonce)
        var reply = ByteBuffer()
        reply.writeFrame(type: .hello, callID: 0) { Hello(nonce: nonce, proof: proof).write(to: &$0) }
        context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
    }
}
