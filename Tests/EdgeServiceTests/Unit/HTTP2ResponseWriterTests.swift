import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import XCTest

@testable import EdgeService

/// A stream's response goes out as a HEADERS frame and one DATA frame that ends the stream (or
/// HEADERS alone ending it), its fields unindexed, lower case, in HTTP/1.1's order, without
/// `Connection`.
final class HTTP2ResponseWriterTests: XCTestCase {
    private func written(_ channel: EmbeddedChannel) throws -> [String] {
        var frames: [String] = []
        while let frame = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) {
            switch frame {
            case .headers(let headers): frames.append("headers\(headers.endStream ? " end" : "")")
            case .data(let data):
                guard case .byteBuffer(let buffer) = data.data else { return frames + ["file region"] }
                frames.append("data '\(String(buffer: buffer))'\(data.endStream ? " end" : "")")
            default: frames.append("other")
            }
        }
        return frames
    }

    private let representation = EncodedFields([("Content-Type", "text/plain"), ("ETag", "\"1-2\"")])

    private func response(body: ResponseBody, status: HTTPResponseStatus = .ok) -> EdgeResponse {
        EdgeResponse(
            status: status, date: "Mon, 07 Dec 2026 21:00:00 GMT", representation: representation,
            fields: [("Set-Cookie", "session=1"), ("X-App", "a")],
            contentLength: 5, requestID: "abc", connection: .close, body: body)
    }

    func testABodyEndsTheStreamOnItsOneDataFrame() throws {
        let writer = HTTP2ResponseWriter()
        let channel = EmbeddedChannel(handler: writer)
        let done = channel.eventLoop.makePromise(of: Void.self)
        writer.writeAndFlush(response(body: .bytes(ByteBuffer(string: "hello"))), promise: done)
        XCTAssertEqual(try written(channel), ["headers", "data 'hello' end"])
        XCTAssertNoThrow(try done.futureResult.wait())
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testWithoutABodyTheHeadersEndTheStreamAndAnInterimOneDoesNot() throws {
        let writer = HTTP2ResponseWriter()
        let channel = EmbeddedChannel(handler: writer)
        writer.writeAndFlush(EdgeResponse(status: .continue, fields: [], body: .empty), promise: nil)
        XCTAssertEqual(try written(channel), ["headers"])
        writer.writeAndFlush(response(body: .empty), promise: nil)
        XCTAssertEqual(try written(channel), ["headers end"])
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testTheFieldsAreLowerCaseUnindexedAndWithoutConnection() {
        let block = HTTP2ResponseWriter.headerBlock(of: response(body: .empty))
        XCTAssertEqual(
            block.map(\.name), [":status", "date", "content-type", "etag", "set-cookie", "x-app", "content-length", "x-request-id"])
        XCTAssertEqual(block.map(\.value), ["200", "Mon, 07 Dec 2026 21:00:00 GMT", "text/plain", "\"1-2\"", "session=1", "a", "5", "abc"])
        XCTAssertEqual(
            block.map(\.indexable),
            [.nonIndexable, .nonIndexable, .nonIndexable, .nonIndexable, .neverIndexed, .nonIndexable, .nonIndexable, .nonIndexable])
    }

    func testAWriterOutsideAPipelineFailsTheWrite() throws {
        let writer = HTTP2ResponseWriter()
        let channel = EmbeddedChannel(handler: writer)
        _ = try channel.finish()
        let failed = channel.eventLoop.makePromise(of: Void.self)
        writer.writeAndFlush(response(body: .empty), promise: failed)
        XCTAssertThrowsError(try failed.futureResult.wait())
    }
}
