import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import XCTest

@testable import EdgeService

final class HTTPResponseWriterTests: XCTestCase {
    private let heads: [HTTPResponseHead] = [
        HTTPResponseHead(
            version: .http1_1, status: .ok,
            headers: HTTPHeaders([
                ("Date", "Sun, 06 Dec 2026 10:55:55 GMT"), ("Content-Type", "text/plain; charset=utf-8"), ("ETag", "\"6b153f39-400\""),
                ("Content-Length", "1024"), ("X-Request-ID", "11cf1a8e6d0c77b7c52268e4c1463a47"),
            ])),
        HTTPResponseHead(version: .http1_1, status: .notModified, headers: HTTPHeaders([("ETag", "\"x\""), ("Connection", "close")])),
        HTTPResponseHead(version: .http1_1, status: .continue),
        HTTPResponseHead(
            version: .http1_1, status: .custom(code: 299, reasonPhrase: "Fine Indeed"),
            headers: HTTPHeaders([("X-Long", String(repeating: "v", count: 5000))])),
        HTTPResponseHead(
            version: .http1_0, status: .serviceUnavailable, headers: HTTPHeaders([("Retry-After", "1"), ("Connection", "keep-alive")])),
        HTTPResponseHead(version: .http1_1, status: .imATeapot, headers: HTTPHeaders([("X-Unicode", "naïve ✓")])),
    ]

    /// The bytes and the number of writes reaching the socket for `parts`, written without a
    /// flush until the last.
    private func written(_ parts: [HTTPServerResponsePart], through handler: any ChannelHandler) throws -> (bytes: [UInt8], writes: Int) {
        let channel = EmbeddedChannel(handler: handler)
        for part in parts { channel.write(part, promise: nil) }
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
    private func nioEncoder() -> HTTPResponseEncoder {
        var configuration = HTTPResponseEncoder.Configuration()
        configuration.automaticallySetFramingHeaders = false
        return HTTPResponseEncoder(configuration: configuration)
    }

    func testHeadsAreEncodedByteForByteAsNIOEncodesThem() throws {
        for head in heads {
            let parts: [HTTPServerResponsePart] = [.head(head), .end(nil)]
            XCTAssertEqual(
                try written(parts, through: HTTPResponseWriter()).bytes, try written(parts, through: nioEncoder()).bytes, "\(head.status)")
        }
    }

    func testASmallBodyGoesOutWithItsHeadInOneWrite() throws {
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1024)
        let parts: [HTTPServerResponsePart] = [.head(heads[0]), .body(.byteBuffer(body)), .end(nil)]
        let ours = try written(parts, through: HTTPResponseWriter())
        XCTAssertEqual(ours.bytes, try written(parts, through: nioEncoder()).bytes)
        XCTAssertEqual(ours.writes, 1)
    }

    func testALargeBodyFollowsItsHeadUncopied() throws {
        let body = ByteBuffer(repeating: UInt8(ascii: "y"), count: HTTPResponseWriter.maximumMergedBody + 1)
        let parts: [HTTPServerResponsePart] = [.head(heads[0]), .body(.byteBuffer(body)), .end(nil)]
        let ours = try written(parts, through: HTTPResponseWriter())
        XCTAssertEqual(ours.bytes, try written(parts, through: nioEncoder()).bytes)
        XCTAssertEqual(ours.writes, 2)
    }

    func testPromisesCompleteOnceTheMergedWriteIsDone() throws {
        let channel = EmbeddedChannel(handler: HTTPResponseWriter())
        let head = channel.eventLoop.makePromise(of: Void.self)
        let body = channel.eventLoop.makePromise(of: Void.self)
        let end = channel.eventLoop.makePromise(of: Void.self)
        let completed = NIOLockedValueBox<[String]>([])
        head.futureResult.whenSuccess { completed.withLockedValue { $0.append("head") } }
        body.futureResult.whenSuccess { completed.withLockedValue { $0.append("body") } }
        end.futureResult.whenSuccess { completed.withLockedValue { $0.append("end") } }
        channel.write(HTTPServerResponsePart.head(heads[0]), promise: head)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "hello"))), promise: body)
        channel.write(HTTPServerResponsePart.end(nil), promise: end)
        XCTAssertEqual(completed.withLockedValue { $0 }, [])
        channel.flush()
        XCTAssertEqual(completed.withLockedValue { $0 }, ["head", "body", "end"])
        XCTAssertNotNil(try channel.readOutbound(as: IOData.self))
        XCTAssertNil(try channel.readOutbound(as: IOData.self))
        _ = try channel.finish()
    }

    func testAHeadHeldUnflushedGoesOutBeforeTheNextResponse() throws {
        let first: [HTTPServerResponsePart] = [.head(heads[2])]
        let second: [HTTPServerResponsePart] = [.head(heads[1]), .end(nil)]
        XCTAssertEqual(
            try written(first + second, through: HTTPResponseWriter()).bytes, try written(first + second, through: nioEncoder()).bytes)
    }
}
