import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import XCTest

@testable import EdgeService

/// A response's header fields go out unindexed, and it ends its stream on its last DATA frame,
/// not on an empty frame of its own.
final class HTTP2ResponseFramingTests: XCTestCase {
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

    private func data(_ text: String, end: Bool = false) -> HTTP2Frame.FramePayload {
        .data(.init(data: .byteBuffer(ByteBuffer(string: text)), endStream: end))
    }

    func testTheEmptyEndFrameIsFoldedIntoTheLastDataFrame() throws {
        let channel = EmbeddedChannel(handler: HTTP2ResponseFraming())
        let bodyWritten = channel.eventLoop.makePromise(of: Void.self)
        let endWritten = channel.eventLoop.makePromise(of: Void.self)
        channel.write(HTTP2Frame.FramePayload.headers(.init(headers: [":status": "200"])), promise: nil)
        channel.write(data("hello"), promise: bodyWritten)
        channel.write(data("", end: true), promise: endWritten)
        channel.flush()
        XCTAssertEqual(try written(channel), ["headers", "data 'hello' end"])
        XCTAssertNoThrow(try bodyWritten.futureResult.wait())
        XCTAssertNoThrow(try endWritten.futureResult.wait())
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testAStreamedBodyGoesOutAtEachFlushAndOnlyABareEndIsFolded() throws {
        let channel = EmbeddedChannel(handler: HTTP2ResponseFraming())
        channel.writeAndFlush(data("one"), promise: nil)
        XCTAssertEqual(try written(channel), ["data 'one'"], "a flush sends what is held")
        channel.write(data("two"), promise: nil)
        channel.write(data("three"), promise: nil)
        channel.writeAndFlush(data("four", end: true), promise: nil)
        XCTAssertEqual(try written(channel), ["data 'two'", "data 'three'", "data 'four' end"], "an end with bytes stays its own frame")
        // A response without a body (HEAD): the end follows the head as it is.
        channel.write(HTTP2Frame.FramePayload.headers(.init(headers: [":status": "204"])), promise: nil)
        channel.writeAndFlush(data("", end: true), promise: nil)
        XCTAssertEqual(try written(channel), ["headers", "data '' end"])
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testHeaderFieldsAreSentWithoutIndexingAndNeverIndexedOnesStaySo() throws {
        let channel = EmbeddedChannel(handler: HTTP2ResponseFraming())
        var fields = HPACKHeaders([(":status", "200"), ("content-type", "text/plain"), ("x-request-id", "abc")])
        fields.add(name: "set-cookie", value: "session=1", indexing: .neverIndexed)
        channel.writeAndFlush(HTTP2Frame.FramePayload.headers(.init(headers: fields)), promise: nil)
        guard case .headers(let sent) = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else {
            return XCTFail("no headers frame")
        }
        XCTAssertEqual(sent.headers.map(\.name), [":status", "content-type", "x-request-id", "set-cookie"], "order and fields kept")
        XCTAssertEqual(sent.headers.map(\.value), ["200", "text/plain", "abc", "session=1"])
        XCTAssertEqual(sent.headers.map(\.indexable), [.nonIndexable, .nonIndexable, .nonIndexable, .neverIndexed])
        XCTAssertTrue(try channel.finish().isClean)
    }

    /// Passed on (unflushed, as it would have been without the handler) when the stream closes.
    func testWhatIsHeldIsPassedOnAtAClose() throws {
        let passedOn = WriteRecorder()
        let channel = EmbeddedChannel(handlers: [passedOn, HTTP2ResponseFraming()])
        channel.write(data("last words"), promise: nil)
        XCTAssertEqual(passedOn.count, 0, "held")
        channel.close(promise: nil)
        XCTAssertEqual(passedOn.count, 1)
    }

    /// Counts the writes that reach it.
    private final class WriteRecorder: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = HTTP2Frame.FramePayload
        var count = 0

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            count += 1
            context.write(data, promise: promise)
        }
    }
}
