import NIOCore
import XCTest

@testable import RPC

final class CallMessagesTests: XCTestCase {
    func testRequestHeadRoundTripLeavesBodyInPlace() throws {
        var metadata = RPCMetadata()
        metadata.requestID = "req-1"
        metadata.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let head = RequestHead(method: "users.get", timeoutNanoseconds: 1_500_000_000, metadata: metadata)
        var buffer = ByteBuffer()
        try head.write(to: &buffer)
        buffer.writeString("BODY")
        XCTAssertEqual(try RequestHead(from: &buffer), head)
        XCTAssertEqual(buffer.readString(length: buffer.readableBytes), "BODY")
    }

    func testRequestHeadTruncatedAtEveryOffsetThrows() throws {
        let head = RequestHead(method: "m", timeoutNanoseconds: 5, metadata: ["request-id": "abc"])
        var whole = ByteBuffer()
        try head.write(to: &whole)
        for length in 0..<whole.readableBytes {
            var partial = whole.getSlice(at: 0, length: length) ?? ByteBuffer()
            XCTAssertThrowsError(try RequestHead(from: &partial), "length \(length)")
        }
    }

    func testRequestHeadRefusesOverlongMethodName() {
        let head = RequestHead(method: String(repeating: "m", count: 256), timeoutNanoseconds: 0, metadata: [:])
        var buffer = ByteBuffer()
        XCTAssertThrowsError(try head.write(to: &buffer))
    }

    func testMethodNameMustBeUTF8() {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(2))
        buffer.writeBytes([0xC3, 0x28])
        buffer.writeInteger(UInt64(0))
        buffer.writeInteger(UInt8(0))
        XCTAssertThrowsError(try RequestHead(from: &buffer))
    }

    func testResponseHeadRoundTripAndUnknownStatus() throws {
        let head = ResponseHead(status: .notFound, message: "no such user ✓")
        var buffer = ByteBuffer()
        head.write(to: &buffer)
        XCTAssertEqual(try ResponseHead(from: &buffer), head)

        var unknown = ByteBuffer(bytes: [200, 0, 0])
        XCTAssertThrowsError(try ResponseHead(from: &unknown))
    }

    func testGoAwayAndHelloRoundTrip() throws {
        let goAway = GoAway(lastCallID: 17, status: .unavailable, message: "draining")
        var buffer = ByteBuffer()
        goAway.write(to: &buffer)
        XCTAssertEqual(try GoAway(from: buffer), goAway)

        var hello = ByteBuffer()
        Hello(version: 7).write(to: &hello)
        XCTAssertEqual(try Hello(from: hello).version, 7)
        XCTAssertThrowsError(try Hello(from: ByteBuffer(string: "HTTP/1.1")))
    }

    func testMetadataSubscriptReplacesAndRemoves() {
        var metadata: RPCMetadata = ["a": "1"]
        metadata["a"] = "2"
        metadata["b"] = "3"
        XCTAssertEqual(metadata["a"], "2")
        XCTAssertEqual(metadata.count, 2)
        metadata["a"] = nil
        XCTAssertNil(metadata["a"])
        XCTAssertEqual(metadata.count, 1)
    }
}
