import Foundation
import NIOCore
import RPC
import XCTest

/// Pins the wire format byte for byte: a change here breaks every peer still running the
/// old code, so it must be deliberate (and documented in docs/rpc.md).
final class BinaryPayloadFormatTests: XCTestCase {
    private struct Small: Codable {
        var id = -2
        var name = "hé"
        var flag = true
        var note: String? = nil
        var score = 1.5
        var tags: [UInt16] = [1, 300]
        var ratio: Float = 0.5
        var maybe: Int? = 1
        var letters: Set<UInt8> = [7]
        var counts = ["a": 1]
        var at = Date(timeIntervalSinceReferenceDate: 1)
        var blob = Data([0xAA])
    }

    func testSmallValueBytes() throws {
        let expected: [UInt8] = [
            0x03,  // id: -2 zigzagged to 3
            0x03, 0x68, 0xC3, 0xA9,  // name: 3 UTF-8 bytes "hé"
            0x01,  // flag
            0x00,  // note: absent
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F,  // score: 1.5, little-endian
            0x02, 0x01, 0xAC, 0x02,  // tags: 2 elements, 1 and 300
            0x00, 0x00, 0x00, 0x3F,  // ratio: 0.5 as Float
            0x01, 0x02,  // maybe: present, 1 zigzagged
            0x81, 0x80, 0x80, 0x80, 0x00, 0x07,  // letters: padded count 1, then 7
            0x01, 0x01, 0x61, 0x02,  // counts: 1 entry, "a" → 1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F,  // at: 1.0 s since 2001
            0x01, 0xAA,  // blob: 1 byte
        ]
        XCTAssertEqual(try binaryBytes(Small()), expected)
    }

    func testVarintBoundaries() throws {
        XCTAssertEqual(try binaryBytes(UInt64(127)), [0x7F])
        XCTAssertEqual(try binaryBytes(UInt64(128)), [0x80, 0x01])
        XCTAssertEqual(try binaryBytes(UInt64.max), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        XCTAssertEqual(try binaryBytes(Int64.min), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        XCTAssertEqual(try binaryBytes(Int64.max), [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        XCTAssertEqual(try binaryBytes(-1), [0x01])
        XCTAssertEqual(try binaryBytes(Int8.min), [0xFF, 0x01])
    }

    func testNonMinimalVarintsAreAccepted() throws {
        XCTAssertEqual(try binaryDecode(UInt8.self, [0x81, 0x80, 0x00]), 1)
    }

    func testPayloadEncodingRawValuesAreStable() {
        XCTAssertEqual(PayloadEncoding.binary.rawValue, 0)
        XCTAssertEqual(PayloadEncoding.json.rawValue, 1)
    }
}
