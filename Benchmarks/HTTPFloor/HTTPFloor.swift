import NIOCore
import NIOHTTP1
import NIOPosix

/// The floor under any SwiftNIO HTTP/1.1 server on this machine: the fewest handlers that can
/// answer `wrk`'s keep-alive GETs with the edge's 1 KiB static response, one flush per read.
/// `Benchmarks/http-floor.sh` runs it beside the edge and nginx to tell how much of the edge's
/// cost per request is SwiftNIO's channel and codec and how much is the edge's own.
///
///     http-floor <port> raw       one handler finds each head's end (CRLF CRLF) in the bytes
///     http-floor <port> decoder   NIO's HTTPRequestDecoder in front of a handler answering `.end`
///
/// Not a server: it parses nothing else, answers every request alike and never closes.
@main
enum HTTPFloor {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let port = Int(arguments[1]), ["raw", "decoder"].contains(arguments[2]) else {
            print("usage: http-floor <port> raw|decoder")
            return
        }
        let decodes = arguments[2] == "decoder"
        let response = ByteBuffer(
            string: "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1024\r\n"
                + "ETag: \"6b169c4b-400\"\r\nAccept-Ranges: bytes\r\n\r\n" + String(repeating: "x", count: 1024))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    if decodes {
                        try handlers.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
                        try handlers.addHandler(DecodedResponder(response: response))
                    } else {
                        try handlers.addHandler(RawResponder(response: response))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: port).wait()
        try channel.closeFuture.wait()
    }
}

/// Answers each request whose head ends in the bytes read; requests have no body here.
final class RawResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let response: ByteBuffer
    /// How much of CR LF CR LF the bytes so far end with (a head's end can span two reads).
    private var matched = 0

    init(response: ByteBuffer) { self.response = response }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var complete = 0
        unwrapInboundIn(data).withUnsafeReadableBytes { bytes in
            for byte in bytes {
                switch (matched, byte) {
                case (0, 13), (2, 13): matched += 1
                case (1, 10): matched = 2
                case (3, 10):
                    matched = 0
                    complete += 1
                case (_, 13): matched = 1
                default: matched = 0
                }
            }
        }
        for _ in 0..<complete { context.write(wrapOutboundOut(response), promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }
}

/// Answers each request NIO's decoder ends.
final class DecodedResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    let response: ByteBuffer

    init(response: ByteBuffer) { self.response = response }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { context.write(wrapOutboundOut(response), promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }
}
