import NIOCore
import NIOEmbedded
import NIOHTTP1
import RPC
import XCTest

@testable import EdgeService

/// The connection handler, its timer (whose callback holds the handler's context) and the
/// request-start observer refer to one another: a closed connection must leave none of them behind.
final class ConnectionLifetimeTests: XCTestCase {
    func testAClosedConnectionLeavesNoHandlerBehind() throws {
        let client = RPCClient(target: try RPCTarget(parsing: "127.0.0.1:1"), logger: quietLogger)
        let app = EdgeService.makeApplication(
            HTTPServerConfiguration(), upstream: client, upstreamTimeout: .seconds(1), maintenance: nil, logger: quietLogger)
        weak var handler: HTTPConnectionHandler?
        weak var pipelining: HTTPPipeliningHandler?
        do {
            let channel = EmbeddedChannel()
            try HTTPServer.configureHTTP1(
                channel, app: app, dateCaches: DateHeaderCaches(group: channel.embeddedEventLoop),
                limits: NIOHTTPDecoderLimitConfiguration())
            handler = try channel.pipeline.syncOperations.handler(type: HTTPConnectionHandler.self)
            XCTAssertNotNil(handler)
            pipelining = try channel.pipeline.syncOperations.handler(type: HTTPPipeliningHandler.self)
            XCTAssertNotNil(pipelining)
            // The first bytes of a request: the observer reports them, the timer is re-armed.
            try channel.writeInbound(ByteBuffer(string: "GET /index.html HT"))
            _ = try channel.finish(acceptAlreadyClosed: true)
        }
        XCTAssertNil(handler, "the connection handler outlived its connection")
        XCTAssertNil(pipelining, "the pipelining handler (which holds its context) outlived its connection")
    }

    /// The writer holds its context for the connection handler's calls: a closed stream lets go.
    func testAClosedStreamLeavesNoResponseWriterBehind() throws {
        weak var writer: HTTP2ResponseWriter?
        do {
            let channel = EmbeddedChannel()
            let added = HTTP2ResponseWriter()
            writer = added
            try channel.pipeline.syncOperations.addHandler(added)
            _ = try channel.finish(acceptAlreadyClosed: true)
        }
        XCTAssertNil(writer, "the response writer outlived its stream")
    }
}
