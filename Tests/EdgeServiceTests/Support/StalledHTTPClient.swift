import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A client that sends and then does not read, with a small receive buffer, so the server's
/// responses pile up on the server's side: what a hostile or stuck client does.
final class StalledHTTPClient: Sendable {
    private let channel: any Channel
    private let collector: Collector

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state = NIOLockedValueBox<(received: Int, closed: Bool)>((0, false))

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let count = unwrapInboundIn(data).readableBytes
            state.withLockedValue { $0.received += count }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLockedValue { $0.closed = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A reset is how the server's close shows when requests were left unread.
            context.close(promise: nil)
        }
    }

    static func connect(port: Int, receiveBuffer: Int = 4096) async throws -> StalledHTTPClient {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: false)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return StalledHTTPClient(channel: channel, collector: collector)
    }

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Queues the bytes and returns without waiting for them to be sent: a peer that does
    /// not read may also stop the server from reading, and the write would never complete.
    func send(_ text: String) {
        channel.writeAndFlush(ByteBuffer(string: text), promise: nil)
    }

    /// Reads once, whatever the socket holds: a slow reader calls this now and then.
    func read() {
        channel.read()
    }

    /// Starts reading (and keeps reading), which is how a closed connection becomes visible.
    func startReading() async throws {
        try await channel.setOption(.autoRead, value: true).get()
        channel.read()
    }

    var isClosed: Bool { collector.state.withLockedValue { $0.closed } }
    var receivedBytes: Int { collector.state.withLockedValue { $0.received } }

    func close() {
        channel.close(promise: nil)
    }
}
