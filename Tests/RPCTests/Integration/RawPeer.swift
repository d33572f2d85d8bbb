import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest

@testable import RPC

/// A connection that writes exact bytes and collects what comes back, for peers no RPCClient
/// would be: silent, half-sent, unauthenticated, replaying.
final class RawPeer: Sendable {
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state = NIOLockedValueBox<(bytes: ByteBuffer, closed: Bool)>((ByteBuffer(), false))

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            _ = state.withLockedValue { $0.bytes.writeBuffer(&buffer) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLockedValue { $0.closed = true }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    static func connect(to address: SocketAddress) async throws -> RawPeer {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(to: address).get()
        return RawPeer(channel: channel, collector: collector)
    }

    func send(_ bytes: ByteBuffer) async {
        try? await channel.writeAndFlush(bytes)
    }

    func send(frame type: FrameType, callID: UInt32 = 0, _ writePayload: (inout ByteBuffer) -> Void = { _ in }) async {
        var buffer = ByteBuffer()
        buffer.writeFrame(type: type, callID: callID, writePayload)
        await send(buffer)
    }

    func sendHello(nonce: [UInt8]) async {
        await send(frame: .hello) { Hello(nonce: nonce).write(to: &$0) }
    }

    /// A request for `test.echo`, with the binary body.
    func sendEcho(callID: UInt32, text: String) async throws {
        var buffer = ByteBuffer()
        try buffer.writeFrame(type: .request, callID: callID) { payload in
            try RequestHead(method: RPCMethod<Echo, Echo>.echo.name, timeoutNanoseconds: 5_000_000_000, metadata: RPCMetadata()).write(
                to: &payload)
            try PayloadEncoding.binary.encode(Echo(text: text), into: &payload)
        }
        await send(buffer)
    }

    var isClosed: Bool { collector.state.withLockedValue { $0.closed } }

    /// Every complete frame received so far.
    var frames: [Frame] {
        var bytes = collector.state.withLockedValue { $0.bytes }
        var frames: [Frame] = []
        while let frame = try? FrameDecoder(maximumFrameSize: 1 << 20).decodeFrame(from: &bytes) { frames.append(frame) }
        return frames
    }

    /// Waits until `condition` holds or `timeout` passes; returns whether it held.
    @discardableResult
    func wait(for timeout: Duration, until condition: (RawPeer) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition(self) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    func waitForClose(within timeout: Duration) async -> Bool {
        await wait(for: timeout) { $0.isClosed }
    }

    /// The server's hello, once it arrived.
    func serverHello(within timeout: Duration = .seconds(5)) async throws -> Hello {
        await wait(for: timeout) { $0.frames.contains { $0.type == .hello } }
        let frame = try XCTUnwrap(frames.first { $0.type == .hello }, "no hello from the server")
        return try Hello(from: frame.payload)
    }

    func close() async {
        try? await channel.close()
    }
}
