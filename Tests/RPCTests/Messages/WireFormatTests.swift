import Foundation
import NIOCore
import RPC
import XCTest

/// Pins the binary form byte for byte against hand-computed protocol-buffers encodings: a
/// change here breaks every peer still running the old code, so it must be deliberate.
final class WireFormatTests: XCTestCase {
    private struct Int64Field: WireMessage, Equatable {
        var value: Int64 = 0
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "value", &value) }
    }

    private struct UInt64Field: WireMessage, Equatable {
        var value: UInt64 = 0
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "value", &value) }
    }

    /// The three messages of the protocol-buffers encoding guide ("Test1", "Test2", "Test3").
    private struct Test1: WireMessage, Equatable {
        var a: UInt32 = 0
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "a", &a) }
    }

    private struct Test2: WireMessage, Equatable {
        var b = ""
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(2, "b", &b) }
    }

    private struct Test3: WireMessage, Equatable {
        var c = Test1()
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(3, "c", &c) }
    }

    /// One field of every built-in type, each with its own tag, and the absent forms.
    private struct Everything: WireMessage, Equatable {
        var int64: Int64 = -2
        var int32: Int32 = -1
        var flag = true
        var name = "hé"
        var score = 1.5
        var ratio: Float = 0.5
        var at = Date(timeIntervalSinceReferenceDate: 1)
        var blob = ByteBuffer(bytes: [0xAA])
        var inner = Test1(a: 1)
        var counts: [UInt32] = [1, 300]
        var note: String?
        var empty: [String] = []
        var mood = WireMood.sad
        var int = 3

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "int64", &int64)
            try fields.field(2, "int32", &int32)
            try fields.field(3, "flag", &flag)
            try fields.field(4, "name", &name)
            try fields.field(5, "score", &score)
            try fields.field(6, "ratio", &ratio)
            try fields.field(7, "at", &at)
            try fields.field(8, "blob", &blob)
            try fields.field(9, "inner", &inner)
            try fields.field(10, "counts", &counts)
            try fields.field(11, "note", &note)
            try fields.field(12, "empty", &empty)
            try fields.field(13, "mood", &mood)
            try fields.field(16, "int", &int)
        }
    }

    private struct Empty: WireMessage, Equatable {
        mutating func wireFields(_ fields: inout WireFields) throws {}
    }

    private struct Holder: WireMessage, Equatable {
        var empty = Empty()
        var items: [Test1] = []
        var maybe: Test1?

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "empty", &empty)
            try fields.field(2, "items", &items)
            try fields.field(3, "maybe", &maybe)
        }
    }

    private struct LongText: WireMessage, Equatable {
        var text = ""
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "text", &text) }
    }

    private struct Wrapper: WireMessage, Equatable {
        var inner = LongText()
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "inner", &inner) }
    }

    private struct HighTags: WireMessage, Equatable {
        var low: UInt32 = 1
        var sixteen: UInt32 = 2
        var highest: UInt32 = 3

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(15, "low", &low)
            try fields.field(16, "sixteen", &sixteen)
            try fields.field(WireLimits.maxTag, "highest", &highest)
        }
    }

    func testTheProtocolBuffersGuideExamples() throws {
        XCTAssertEqual(try wireBytes(Test1(a: 150)), [0x08, 0x96, 0x01])
        XCTAssertEqual(try wireBytes(Test2(b: "testing")), [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])
        XCTAssertEqual(try wireBytes(Test3(c: Test1(a: 150))), [0x1A, 0x03, 0x08, 0x96, 0x01])
        XCTAssertEqual(try wireDecode(Test3.self, [0x1A, 0x03, 0x08, 0x96, 0x01]), Test3(c: Test1(a: 150)))
    }

    func testSignedIntegersAreZigzagVarints() throws {
        let cases: [(Int64, [UInt8])] = [
            (0, [0x08, 0x00]),
            (-1, [0x08, 0x01]),
            (1, [0x08, 0x02]),
            (-2, [0x08, 0x03]),
            (63, [0x08, 0x7E]),
            (-64, [0x08, 0x7F]),
            (64, [0x08, 0x80, 0x01]),
            (150, [0x08, 0xAC, 0x02]),
            (.max, [0x08, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            (.min, [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for (value, bytes) in cases {
            XCTAssertEqual(try wireBytes(Int64Field(value: value)), bytes, "\(value)")
            XCTAssertEqual(try wireDecode(Int64Field.self, bytes), Int64Field(value: value), "\(value)")
        }
    }

    func testUnsignedIntegersArePlainVarints() throws {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0x08, 0x00]),
            (1, [0x08, 0x01]),
            (127, [0x08, 0x7F]),
            (128, [0x08, 0x80, 0x01]),
            (150, [0x08, 0x96, 0x01]),
            (16_383, [0x08, 0xFF, 0x7F]),
            (16_384, [0x08, 0x80, 0x80, 0x01]),
            (1 << 63, [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
            (.max, [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for (value, bytes) in cases {
            XCTAssertEqual(try wireBytes(UInt64Field(value: value)), bytes, "\(value)")
            XCTAssertEqual(try wireDecode(UInt64Field.self, bytes), UInt64Field(value: value), "\(value)")
        }
    }

    func testEveryBuiltInTypeInOneMessage() throws {
        let expected: [UInt8] = [
            0x08, 0x03,  // 1 int64: -2, zigzag 3
            0x10, 0x01,  // 2 int32: -1, zigzag 1
            0x18, 0x01,  // 3 flag: true
            0x22, 0x03, 0x68, 0xC3, 0xA9,  // 4 name: 3 UTF-8 bytes "hé"
            0x29, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F,  // 5 score: 1.5, fixed64 little-endian
            0x35, 0x00, 0x00, 0x00, 0x3F,  // 6 ratio: 0.5, fixed32 little-endian
            0x39, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F,  // 7 at: 1.0 s since 2001, fixed64
            0x42, 0x01, 0xAA,  // 8 blob: 1 byte
            0x4A, 0x02, 0x08, 0x01,  // 9 inner: 2 bytes, its field 1 = 1
            0x50, 0x01, 0x50, 0xAC, 0x02,  // 10 counts: one entry per element, 1 and 300
            // 11 note: nil, 12 empty: [], both absent
            0x68, 0x09,  // 13 mood: -5, zigzag 9
            0x80, 0x01, 0x06,  // 16 int: a two-byte key (16 << 3 = 128), 3 zigzag 6
        ]
        XCTAssertEqual(try wireBytes(Everything()), expected)
        XCTAssertEqual(try wireDecode(Everything.self, expected), Everything())
    }

    func testFalseZeroAndEmptyRequiredFieldsAreStillWritten() throws {
        var value = Everything()
        value.int64 = 0
        value.flag = false
        value.name = ""
        value.blob = ByteBuffer()
        value.inner = Test1()
        value.counts = []
        value.note = ""
        value.empty = [""]
        let bytes: [UInt8] = [
            0x08, 0x00,  // 1 int64: 0
            0x10, 0x01,  // 2 int32: -1
            0x18, 0x00,  // 3 flag: false
            0x22, 0x00,  // 4 name: ""
            0x29, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F,  // 5 score
            0x35, 0x00, 0x00, 0x00, 0x3F,  // 6 ratio
            0x39, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F,  // 7 at
            0x42, 0x00,  // 8 blob: no bytes
            0x4A, 0x02, 0x08, 0x00,  // 9 inner: its field 1 = 0
            // 10 counts: [], absent
            0x5A, 0x00,  // 11 note: "", present
            0x62, 0x00,  // 12 empty: one empty string
            0x68, 0x09,  // 13 mood
            0x80, 0x01, 0x06,  // 16 int
        ]
        XCTAssertEqual(try wireBytes(value), bytes)
        XCTAssertEqual(try wireDecode(Everything.self, bytes), value)
    }

    func testAMessageWithoutFieldsIsEmpty() throws {
        XCTAssertEqual(try wireBytes(Empty()), [])
        XCTAssertEqual(try wireDecode(Empty.self, []), Empty())
        XCTAssertEqual(try wireBytes(Holder()), [0x0A, 0x00])
        XCTAssertEqual(
            try wireBytes(Holder(items: [Test1(a: 1), Test1(), Test1(a: 2)], maybe: Test1(a: 3))),
            [0x0A, 0x00, 0x12, 0x02, 0x08, 0x01, 0x12, 0x02, 0x08, 0x00, 0x12, 0x02, 0x08, 0x02, 0x1A, 0x02, 0x08, 0x03])
    }

    func testHighTagsTakeLongerKeys() throws {
        // The largest tag, 2^29 - 1: key (2^29 - 1) << 3 = 0xFFFF_FFF8, five varint bytes.
        XCTAssertEqual(try wireBytes(HighTags()), [0x78, 0x01, 0x80, 0x01, 0x02, 0xF8, 0xFF, 0xFF, 0xFF, 0x0F, 0x03])
        XCTAssertEqual(try wireDecode(HighTags.self, [0x78, 0x01, 0x80, 0x01, 0x02, 0xF8, 0xFF, 0xFF, 0xFF, 0x0F, 0x03]), HighTags())
    }

    /// The byte count of a nested message is written in its shortest form once the message
    /// is written, whatever the five bytes reserved for it.
    func testNestedLengthsTakeTheirShortestForm() throws {
        for (textLength, countBytes) in [(0, 1), (125, 1), (126, 2), (200, 2), (16_380, 2), (16_381, 3), (20_000, 3)] {
            let inner = LongText(text: String(repeating: "x", count: textLength))
            let innerBytes = try wireBytes(inner)
            let expected = [0x0A] + varint(UInt64(innerBytes.count)) + innerBytes
            XCTAssertEqual(varint(UInt64(innerBytes.count)).count, countBytes, "text of \(textLength)")
            XCTAssertEqual(try wireBytes(Wrapper(inner: inner)), expected, "text of \(textLength)")
        }
        let inner = LongText(text: String(repeating: "y", count: 197))
        XCTAssertEqual(Array(try wireBytes(Wrapper(inner: inner)).prefix(6)), [0x0A, 0xC8, 0x01, 0x0A, 0xC5, 0x01])
    }

    func testEncodingAppendsAfterWhatTheBufferHolds() throws {
        var buffer = ByteBuffer(string: "header")
        let message = Holder(items: [Test1(a: 300)], maybe: Test1(a: 1))
        try message.encodeWire(into: &buffer)
        XCTAssertEqual(buffer.readString(length: 6), "header")
        XCTAssertEqual(Array(buffer.readableBytesView), try wireBytes(message))
        XCTAssertEqual(try Holder(wire: &buffer), message)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testDecodingStartsAtTheReaderIndexAndAFailureConsumesNothing() throws {
        var buffer = ByteBuffer(bytes: [0xEE, 0xEE, 0x08, 0x96, 0x01])
        buffer.moveReaderIndex(forwardBy: 2)
        XCTAssertEqual(try Test1(wire: &buffer), Test1(a: 150))
        XCTAssertEqual(buffer.readableBytes, 0)

        var truncated = ByteBuffer(bytes: [0x08, 0x96])
        XCTAssertThrowsError(try Test1(wire: &truncated))
        XCTAssertEqual(truncated.readableBytes, 2)
    }

    func testNonMinimalVarintsAndPaddedLengthsAreAccepted() throws {
        XCTAssertEqual(try wireDecode(Test1.self, [0x08, 0x96, 0x81, 0x80, 0x00]), Test1(a: 150))
        XCTAssertEqual(try wireDecode(Test1.self, [0x88, 0x80, 0x00, 0x01]), Test1(a: 1))
        XCTAssertEqual(try wireDecode(Test3.self, [0x1A, 0x83, 0x80, 0x80, 0x80, 0x00, 0x08, 0x96, 0x01]), Test3(c: Test1(a: 150)))
    }

    func testPayloadEncodingsAreStableAndRoundTrip() throws {
        XCTAssertEqual(PayloadEncoding.binary.rawValue, 0)
        XCTAssertEqual(PayloadEncoding.json.rawValue, 1)

        var binary = ByteBuffer()
        try PayloadEncoding.binary.encode(Test3(c: Test1(a: 150)), into: &binary)
        XCTAssertEqual(Array(binary.readableBytesView), [0x1A, 0x03, 0x08, 0x96, 0x01])
        var json = ByteBuffer()
        try PayloadEncoding.json.encode(Test3(c: Test1(a: 150)), into: &json)
        XCTAssertEqual(String(buffer: json), #"{"c":{"a":150}}"#)
        for encoding in PayloadEncoding.allCases {
            var buffer = ByteBuffer()
            try encoding.encode(Everything(), into: &buffer)
            XCTAssertEqual(try encoding.decode(Everything.self, from: &buffer), Everything(), "\(encoding)")
            XCTAssertEqual(buffer.readableBytes, 0, "\(encoding) consumes the payload")
        }
    }

    func testBinaryIsSmallerThanJSON() throws {
        let message = Everything()
        XCTAssertLessThan(try wireBytes(message).count * 2, try jsonText(message).utf8.count)
    }
}
