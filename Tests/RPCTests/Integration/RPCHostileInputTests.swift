import NIOCore
import NIOPosix
import XCTest

@testable import RPC

/// Bytes a misbehaving or hostile peer might send: each must close only that connection.
final class RPCHostileInputTests: XCTestCase {
    /// Opens a raw TCP connection, writes `bytes`, and reports whether the server closed it.
    private func rawConnection(to address: SocketAddress, send bytes: [UInt8]) async throws -> (closed: Bool, received: ByteBuffer) {
        let collector = ByteCollector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(to: address).get()
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        let closed: Bool
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await channel.closeFuture.get()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(2))
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                if !first { throw CancellationError() }
            }
            closed = true
        } catch {
            closed = false
            try? await channel.close()
        }
        let received = try await channel.eventLoop.submit { collector.received }.get()
        return (closed, received)
    }

    private func hello(version: UInt16 = Hello.currentVersion) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeFrame(type: .hello, callID: 0) { Hello(version: version).write(to: &$0) }
        return Array(buffer.readableBytesView)
    }

    func testGarbageOversizeTruncatedAndUnknownFramesCloseOnlyThatConnection() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "h"), maximumFrameSize: 64 * 1024)
        defer { Task { await server.kill() } }
        try await withClient(server.hostAndPort, configure: { $0.connectionsPerEndpoint = 1 }) { client in
            _ = try await client.call(.echo, Echo(text: "before"))
            var random = SplitMix64(seed: 99)
            let randomBytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var unknownType = ByteBuffer()
            unknownType.writeInteger(UInt32(6))
            unknownType.writeBytes([0xEE, 0, 0, 0, 0, 1])
            var truncatedHead = ByteBuffer()
            truncatedHead.writeFrame(type: .request, callID: 1) { $0.writeBytes([200]) }
            let cases: [(String, [UInt8])] = [
                ("http request", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
                ("random bytes", randomBytes),
                ("huge length prefix", hello() + [0x7F, 0xFF, 0xFF, 0xFF]),
                ("unknown frame type", hello() + Array(unknownType.readableBytesView)),
                ("request before hello", Array(truncatedHead.readableBytesView)),
                ("truncated request head", hello() + Array(truncatedHead.readableBytesView)),
                ("bad magic", [0, 0, 0, 12, 1, 0, 0, 0, 0, 0, 0x58, 0x58, 0x58, 0x58, 0, 1]),
            ]
            for (name, bytes) in cases {
                let outcome = try await rawConnection(to: server.address, send: bytes)
                XCTAssertTrue(outcome.closed, "\(name): connection should be closed by the server")
                let reply = try await client.call(.echo, Echo(text: name))
                XCTAssertEqual(reply.text, "h:\(name)", "\(name): other connections unaffected")
            }
            XCTAssertEqual(client.readyConnectionCount, 1, "the well-behaved connection was never dropped")
        }
    }

    func testVersionMismatchIsAClearErrorForBothSides() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "v"))
        defer { Task { await server.kill() } }
        let outcome = try await rawConnection(to: server.address, send: hello(version: 99))
        XCTAssertTrue(outcome.closed)
        var received = outcome.received
        let frame = try XCTUnwrap(try FrameDecoder(maximumFrameSize: 1024).decodeFrame(from: &received))
        XCTAssertEqual(frame.type, .goAway)
        let goAway = try GoAway(from: frame.payload)
        XCTAssertEqual(goAway.status, .failedPrecondition)
        XCTAssertTrue(goAway.message.contains("unsupported protocol version 99"), goAway.message)
    }

    func testClientRefusesServerOfAnotherVersion() async throws {
        // A fake server that answers every hello with version 42.
        let fake = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(WrongVersionServer()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { fake.close(promise: nil) }
        try await withClient("127.0.0.1:\(fake.localAddress?.port ?? 0)") { client in
            do {
                _ = try await client.call(.echo, Echo(text: "x"), options: RPCCallOptions(timeout: .seconds(5)))
                XCTFail("call to a server of another version succeeded")
            } catch let error as RPCError {
                XCTAssertEqual(error.code, .unavailable)
                XCTAssertTrue(error.message.contains("protocol version 42"), error.message)
            }
        }
    }
}

private final class ByteCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    nonisolated(unsafe) var received = ByteBuffer()
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
    }
}

private final class WrongVersionServer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var reply = ByteBuffer()
        reply.writeFrame(type: .hello, callID: 0) { Hello(version: 42).write(to: &$0) }
        context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
    }
}

/// A peer that completes the handshake and then goes silent (a hung process, a dead host
/// behind a live TCP path): keepalive must notice and fail the calls waiting on it.
final class RPCKeepaliveTests: XCTestCase {
    func testSilentPeerIsDetectedByKeepalive() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(HelloThenSilence()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        try await withClient(
            "127.0.0.1:\(silent.localAddress?.port ?? 0)",
            configure: {
                $0.connectionsPerEndpoint = 1
                $0.keepaliveInterval = .milliseconds(100)
                $0.maximumAttempts = 1
            }
        ) { client in
            let started = ContinuousClock.now
            await assertRPCError(.unavailable) {
                try await client.call(.echo, Echo(text: "never answered"), options: RPCCallOptions(timeout: .seconds(10)))
            }
            let elapsed = ContinuousClock.now - started
            XCTAssertLessThan(elapsed, .seconds(1), "two unanswered keepalive intervals, not the 10 s deadline")
        }
    }
}

private final class HelloThenSilence: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var greeted = false
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !greeted else { return }
        greeted = true
        var reply = ByteBuffer()
        reply.writeFrame(type: .hello, callID: 0) { Hello().write(to: &$0) }
        reply.writeFrame(type: .catalog, callID: 0) { try? MethodCatalog(methods: [RPCMethod.echo.wireName]).encodeWire(into: &$0) }
        context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
    }
}
