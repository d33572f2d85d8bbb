import NIOCore

/// Answers a connection refused at accept with a fixed response and closes it, so clients
/// learn why instead of being reset. It reads nothing: a refused connection must not cost
/// more than the moment it takes to answer.
final class OverloadResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Reason {
        /// `--max-connections`: the server is full.
        case tooManyConnections
        /// `--max-connections-per-address`: this client holds too many.
        case tooManyConnectionsFromAddress
    }

    private static let tooManyConnections = response(
        "503 Service Unavailable",
        #"{"error":"too_many_connections","message":"The server has too many open connections; try again shortly."}"#)
    private static let tooManyConnectionsFromAddress = response(
        "429 Too Many Requests",
        #"{"error":"too_many_connections","message":"This address has too many open connections; close some before opening more."}"#)

    private static func response(_ status: String, _ body: String) -> String {
        "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Retry-After: 1\r\nConnection: close\r\n\r\n" + body
    }

    /// nil closes without a word: a TLS client could not read a plain answer, and a handshake
    /// is what a refused connection must not cost.
    private let response: String?

    init(_ reason: Reason, answers: Bool = true) {
        guard answers else {
            response = nil
            return
        }
        response =
            switch reason {
            case .tooManyConnections: Self.tooManyConnections
            case .tooManyConnectionsFromAddress: Self.tooManyConnectionsFromAddress
            }
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let response else {
            context.close(promise: nil)
            return
        }
        let loopBound = context.loopBound
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
