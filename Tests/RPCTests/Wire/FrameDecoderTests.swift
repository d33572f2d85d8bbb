import NIOCore
import XCTest

@testable import RPC

final class FrameDecoderTests: XCTestCase {
    private let decoder = FrameDecoder(maximumFrameSize: 1024)

    private func encoded(_ frame: Frame) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeFrame(frame)
        return buffer
    }

    func testRoundTripsEveryFrameType() throws {
        for type in FrameType.allCases {
            let frame = Frame(type: type, flags: .jsonPayload, callID: 42, payload: ByteBuffer(string: "payload"))
            var buffer = encoded(frame)
            XCTAssertEqual(try decoder.decodeFrame(from: &buffer), frame)
            XCTAssertEqual(buffer.readableBytes, 0)
        }
    }

    func testWaitsForMoreBytesAtEverySplitPoint() throws {
        let frame = Frame(type: .request, callID: 7, payload: ByteBuffer(string: "hello world"))
        let whole = encoded(frame)
        for split in 0..<whole.readableBytes {
            var partial = whole.getSlice(at: 0, length: split) ?? ByteBuffer()
            XCTAssertNil(try decoder.decodeFrame(from: &partial), "split at \(split)")
            XCTAssertEqual(partial.readableBytes, split, "no bytes consumed before a whole frame")
        }
    }

    func testDecodesSeveralFramesFromOneRead() throws {
        var buffer = encoded(Frame(type: .ping, callID: 0, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])))
        var second = encoded(Frame(type: .cancel, callID: 9, payload: ByteBuffer()))
        buffer.writeBuffer(&second)
        XCTAssertEqual(try decoder.decodeFrame(from: &buffer)?.type, .ping)
        XCTAssertEqual(try decoder.decodeFrame(from: &buffer)?.callID, 9)
        XCTAssertNil(try decoder.decodeFrame(from: &buffer))
    }

    func testRejectsOversizeLengthBeforeTheBytesArrive() {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(1025))
        XCTAssertThrowsError(try decoder.decodeFrame(from: &buffer)) { error in
            XCTAssertEqual(error as? FrameError, .frameTooLarge(length: 1025, limit: 1024))
        }
        var huge = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertThrowsError(try decoder.decodeFrame(from: &huge))
    }

    func testRejectsLengthShorterThanAHeader() {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(3))
        buffer.writeBytes([1, 0, 0])
        XCTAssertThrowsError(try decoder.decodeFrame(from: &buffer)) { error in
            XCTAssertEqual(error as? FrameError, .frameTooShort(length: 3))
        }
    }

    func testRejectsUnknownFrameType() {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(6))
        buffer.writeInteger(UInt8(99))
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(1))
        XCTAssertThrowsError(try decoder.decodeFrame(from: &buffer)) { error in
            XCTAssertEqual(error as? FrameError, .unknownFrameType(99))
        }
    }

    func testHTTPRequestBytesAreRejectedNotBuffered() {
        var buffer = ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertThrowsError(try decoder.decodeFrame(from: &buffer))
    }

    func testRandomBytesNeverCrash() {
        var random = SplitMix64(seed: 1)
        for _ in 0..<2000 {
            let count = Int(random.next() % 64)
            var buffer = ByteBuffer(bytes: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            while let frame = try? decoder.decodeFrame(from: &buffer) {
                // Whatever decodes must also survive payload parsing without trapping.
                var payload = frame.payload
                _ = try? RequestHead(from: &payload)
                payload = frame.payload
                _ = try? ResponseHead(from: &payload)
                _ = try? GoAway(from: frame.payload)
                _ = try? Hello(from: frame.payload)
            }
        }
    }
}
