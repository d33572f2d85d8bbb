import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import RPC
import XCTest

@testable import EdgeService

/// What reaches the socket when the connection handler hands ``HTTPPipeliningHandler`` a
/// response: the bytes NIO's encoder would have written for the same head and body, in as few
/// writes as the body allows.
final class HTTP1ResponseEncodingTests: XCTestCase {
    private let responses: [EdgeResponse] = [
        EdgeResponse(
            status: .ok, date: "Sun, 06 Dec 2026 10:55:55 GMT",
            representation: EncodedFields([("Content-Type", "text/plain; charset=utf-8"), ("ETag", "\"6b153f39-400\"")]),
            fields: [("Content-Range", "bytes 0-0/1")], contentLength: 0, requestID: "11cf1a8e6d0c77b7c52268e4c1463a47",
            body: .empty),
        EdgeResponse(status: .notModified, fields: [("ETag", "\"x\"")], connection: .close, body: .empty),
        EdgeResponse(status: .continue, fields: [], body: .empty),
        EdgeResponse(
            status: .custom(code: 299, reasonPhrase: "Fine Indeed"), fields: [("X-Long", String(repeating: "v", count: 5000))],
            body: .empty),
        EdgeResponse(status: .serviceUnavailable, fields: [("Retry-After", "1")], connection: .keepAlive, body: .empty),
        EdgeResponse(status: .imATeapot, fields: [("X-Unicode", "naïve ✓")], body: .empty),
    ]

    private func pipelining() -> HTTPPipeliningHandler {
        HTTPPipeliningHandler(maximumQueuedRequests: 16, sendTimeout: .seconds(10), metrics: EdgeMetrics())
    }

    /// The bytes and the number of writes reaching the socket for `responses`, flushed after the last.
    private func written(_ responses: [EdgeResponse]) throws -> (bytes: [UInt8], writes: Int) {
        let channel = EmbeddedChannel(handler: pipelining())
        for response in responses { channel.write(response, promise: nil) }
        channel.flush()
        var bytes: [UInt8] = []
        var writes = 0
        while let data = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = data else { continue }
            bytes += buffer.readableBytesView
            writes += 1
        }
        _ = try channel.finish()
        return (bytes, writes)
    }

    /// NIO's encoder as the edge configured it before: framing left to the edge.
    private func nioEncoded(_ response: EdgeResponse) throws -> [UInt8] {
        var configuration = HTTPResponseEncoder.Configuration()
        configuration.automaticallySetFramingHeaders = false
        let channel = EmbeddedChannel(handler: HTTPResponseEncoder(configuration: configuration))
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: HTTPHeaders(response.allFields))
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        if case .bytes(let body) = response.body { channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil) }
        if !response.isInformational { channel.write(HTTPServerResponsePart.end(nil), promise: nil) }
        channel.flush()
        var bytes: [UInt8] = []
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { bytes += buffer.readableBytesView }
        }
        _ = try channel.finish()
        return bytes
    }

    func testHeadsAreEncodedByteForByteAsNIOEncodesThem() throws {
        for response in responses {
            XCTAssertEqual(try written([response]).bytes, try nioEncoded(response), "\(response.status)")
        }
    }

    func testTheFieldsGoInTheirOrder() throws {
        let text = String(decoding: try written([responses[0]]).bytes, as: UTF8.self)
        XCTAssertEqual(
            text,
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Dec 2026 10:55:55 GMT\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "ETag: \"6b153f39-400\"\r\nContent-Range: bytes 0-0/1\r\nContent-Length: 0\r\n"
                + "X-Request-ID: 11cf1a8e6d0c77b7c52268e4c1463a47\r\n\r\n")
    }

    func testASmallBodyGoesOutWithItsHeadInOneWrite() throws {
        var response = responses[0]
        response.body = .bytes(ByteBuffer(repeating: UInt8(ascii: "x"), count: 1024))
        let ours = try written([response])
        XCTAssertEqual(ours.bytes, try nioEncoded(response))
        XCTAssertEqual(ours.writes, 1)
    }

    func testALargeBodyFollowsItsHeadUncopied() throws {
        var response = responses[0]
        response.body = .bytes(ByteBuffer(repeating: UInt8(ascii: "y"), count: HTTP1ResponseEncoder.maximumMergedBody + 1))
        let ours = try written([response])
        XCTAssertEqual(ours.bytes, try nioEncoded(response))
        XCTAssertEqual(ours.writes, 2)
    }

    func testAnInterimResponseGoesOutBeforeTheFinalOne() throws {
        let interim = responses[2]
        let final = responses[1]
        XCTAssertEqual(try written([interim, final]).bytes, try nioEncoded(interim) + nioEncoded(final))
    }

    func testTheLastResponseOfAQuiescedConnectionSaysConnectionClose() throws {
        let channel = EmbeddedChannel(handler: pipelining())
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.write(responses[4], promise: nil)
        channel.flush()
        let data = try XCTUnwrap(channel.readOutbound(as: IOData.self))
        guard case .byteBuffer(let buffer) = data else { return XCTFail("expected bytes") }
        let text = String(buffer: buffer)
        XCTAssertTrue(text.hasSuffix("Retry-After: 1\r\nConnection: close\r\n\r\n"), text)
        XCTAssertFalse(text.contains("keep-alive"), text)
        _ = try? channel.finish()
    }

    /// The connection handler's direct call writes what a write and a flush through the
    /// pipeline write, and fails once the handler has left its pipeline.
    func testTheDirectCallWritesTheSameBytesAndFailsOnceRemoved() throws {
        let handler = pipelining()
        let channel = EmbeddedChannel(handler: handler)
        handler.writeAndFlush(responses[0], promise: nil)
        let data = try XCTUnwrap(channel.readOutbound(as: IOData.self))
        guard case .byteBuffer(let buffer) = data else { return XCTFail("expected bytes") }
        XCTAssertEqual(Array(buffer.readableBytesView), try nioEncoded(responses[0]))
        _ = try channel.finish()

        let failed = channel.eventLoop.makePromise(of: Void.self)
        handler.writeAndFlush(responses[0], promise: failed)
        XCTAssertThrowsError(try failed.futureResult.wait())
    }

    func testThePromiseCompletesOnceTheWholeResponseIsWritten() throws {
        let channel = EmbeddedChannel(handler: pipelining())
        let written = channel.eventLoop.makePromise(of: Void.self)
        let completed = NIOLockedValueBox(false)
        written.futureResult.whenSuccess { completed.withLockedValue { $0 = true } }
        var response = responses[0]
        response.body = .bytes(ByteBuffer(string: "hello"))
        channel.write(response, promise: written)
        XCTAssertFalse(completed.withLockedValue { $0 })
        channel.flush()
        XCTAssertTrue(completed.withLockedValue { $0 })
        XCTAssertNotNil(try channel.readOutbound(as: IOData.self))
        XCTAssertNil(try channel.readOutbound(as: IOData.self))
        _ = try channel.finish()
    }
}

extension EdgeResponse {
    /// Every field in the order HTTP/1.1 sends them, to build NIO's head from.
    fileprivate var allFields: [(String, String)] {
        var all: [(String, String)] = []
        if let date { all.append(("Date", date)) }
        if let representation { all.append(contentsOf: representation.list) }
        all.append(contentsOf: fields)
        if let contentLength { all.append(("Content-Length", String(contentLength))) }
        if let requestID { all.append((RequestID.headerName, requestID)) }
        switch connection {
        case .unstated: ()
        case .close: all.append(("Connection", "close"))
        case .keepAlive: all.append(("Connection", "keep-alive"))
        }
        return all
    }
}
