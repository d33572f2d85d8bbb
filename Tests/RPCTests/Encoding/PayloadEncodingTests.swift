import Foundation
import NIOCore
import RPC
import XCTest

final class PayloadEncodingTests: XCTestCase {
    func testBothEncodingsRoundTrip() throws {
        for encoding in PayloadEncoding.allCases {
            var buffer = ByteBuffer()
            try encoding.encode(SampleTimeline.sample, into: &buffer)
            XCTAssertEqual(try encoding.decode(SampleTimeline.self, from: &buffer), .sample, "\(encoding)")
            XCTAssertEqual(buffer.readableBytes, 0, "\(encoding) consumes the payload")
        }
    }

    func testJSONWritesISO8601DatesWithMilliseconds() throws {
        var post = SamplePost.sample
        post.createdAt = Date(timeIntervalSince1970: 1_700_000_000.125)
        var buffer = ByteBuffer()
        try PayloadEncoding.json.encode(post, into: &buffer)
        XCTAssertTrue(String(buffer: buffer).contains(#""createdAt":"2023-11-14T22:13:20.125Z""#), String(buffer: buffer))
        XCTAssertEqual(try PayloadEncoding.json.decode(SamplePost.self, from: &buffer), post)
    }

    func testJSONAcceptsDatesWithoutFractionalSeconds() throws {
        var buffer = ByteBuffer(string: #"{"id":1,"username":"a","text":"t","createdAt":"2023-11-14T22:13:20Z"}"#)
        let post = try PayloadEncoding.json.decode(SamplePost.self, from: &buffer)
        XCTAssertEqual(post.createdAt, Date(timeIntervalSince1970: 1_700_000_000))
        XCTAssertNil(post.referencedUsername)
    }

    func testJSONRejectsBadDatesAndBadJSON() {
        var badDate = ByteBuffer(string: #"{"id":1,"username":"a","text":"t","createdAt":"yesterday"}"#)
        XCTAssertThrowsError(try PayloadEncoding.json.decode(SamplePost.self, from: &badDate)) { error in
            XCTAssertTrue(error is DecodingError, "\(error)")
        }
        var truncated = ByteBuffer(string: #"{"id":1,"#)
        XCTAssertThrowsError(try PayloadEncoding.json.decode(SamplePost.self, from: &truncated))
    }

    func testJSONCarriesNonFiniteFloats() throws {
        var buffer = ByteBuffer()
        try PayloadEncoding.json.encode([Double.infinity, -.infinity, .nan, 1], into: &buffer)
        let decoded = try PayloadEncoding.json.decode([Double].self, from: &buffer)
        XCTAssertEqual(decoded[0], .infinity)
        XCTAssertEqual(decoded[1], -.infinity)
        XCTAssertTrue(decoded[2].isNaN)
        XCTAssertEqual(decoded[3], 1)
    }

    func testBinaryIsSmallerThanJSON() throws {
        var binary = ByteBuffer()
        var json = ByteBuffer()
        try PayloadEncoding.binary.encode(SamplePost.sample, into: &binary)
        try PayloadEncoding.json.encode(SamplePost.sample, into: &json)
        XCTAssertLessThan(binary.readableBytes, json.readableBytes / 2)
    }
}
