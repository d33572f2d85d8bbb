import Foundation
import NIOCore
import RPC
import XCTest

/// Values come back as they went out, in the binary form and in JSON.
final class WireRoundTripTests: XCTestCase {
    private struct Scalars: WireMessage, Equatable {
        var bool = false
        var int = 0
        var int32: Int32 = 0
        var int64: Int64 = 0
        var uint32: UInt32 = 0
        var uint64: UInt64 = 0
        var float: Float = 0
        var double: Double = 0
        var string = ""
        var bytes = ByteBuffer()
        var date = Date(timeIntervalSinceReferenceDate: 0)
        var mood = WireMood.happy

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "bool", &bool)
            try fields.field(2, "int", &int)
            try fields.field(3, "int32", &int32)
            try fields.field(4, "int64", &int64)
            try fields.field(5, "uint32", &uint32)
            try fields.field(6, "uint64", &uint64)
            try fields.field(7, "float", &float)
            try fields.field(8, "double", &double)
            try fields.field(9, "string", &string)
            try fields.field(10, "bytes", &bytes)
            try fields.field(11, "date", &date)
            try fields.field(12, "mood", &mood)
        }
    }

    /// Every type as an optional, so that nil and present can be tried at each position.
    private struct Optionals: WireMessage, Equatable {
        var bool: Bool?
        var int: Int?
        var int32: Int32?
        var int64: Int64?
        var uint32: UInt32?
        var uint64: UInt64?
        var float: Float?
        var double: Double?
        var string: String?
        var bytes: ByteBuffer?
        var date: Date?
        var mood: WireMood?
        var tree: WireTree?

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "bool", &bool)
            try fields.field(2, "int", &int)
            try fields.field(3, "int32", &int32)
            try fields.field(4, "int64", &int64)
            try fields.field(5, "uint32", &uint32)
            try fields.field(6, "uint64", &uint64)
            try fields.field(7, "float", &float)
            try fields.field(8, "double", &double)
            try fields.field(9, "string", &string)
            try fields.field(10, "bytes", &bytes)
            try fields.field(11, "date", &date)
            try fields.field(12, "mood", &mood)
            try fields.field(13, "tree", &tree)
        }

        static let allPresent = Optionals(
            bool: false, int: -1, int32: .min, int64: .max, uint32: 0, uint64: .max, float: -0.25, double: 1e300, string: "",
            bytes: ByteBuffer(bytes: [0, 255]), date: Date(timeIntervalSince1970: 1_700_000_000.5), mood: .sad, tree: WireTree("t"))
    }

    /// Every type as an array.
    private struct Arrays: WireMessage, Equatable {
        var bools: [Bool] = []
        var ints: [Int] = []
        var int32s: [Int32] = []
        var int64s: [Int64] = []
        var uint32s: [UInt32] = []
        var uint64s: [UInt64] = []
        var floats: [Float] = []
        var doubles: [Double] = []
        var strings: [String] = []
        var bytes: [ByteBuffer] = []
        var dates: [Date] = []
        var moods: [WireMood] = []
        var trees: [WireTree] = []

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "bools", &bools)
            try fields.field(2, "ints", &ints)
            try fields.field(3, "int32s", &int32s)
            try fields.field(4, "int64s", &int64s)
            try fields.field(5, "uint32s", &uint32s)
            try fields.field(6, "uint64s", &uint64s)
            try fields.field(7, "floats", &floats)
            try fields.field(8, "doubles", &doubles)
            try fields.field(9, "strings", &strings)
            try fields.field(10, "bytes", &bytes)
            try fields.field(11, "dates", &dates)
            try fields.field(12, "moods", &moods)
            try fields.field(13, "trees", &trees)
        }
    }

    private struct Floats: WireMessage {
        var double: Double = 0
        var float: Float = 0
        var doubles: [Double] = []
        var floats: [Float] = []

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "double", &double)
            try fields.field(2, "float", &float)
            try fields.field(3, "doubles", &doubles)
            try fields.field(4, "floats", &floats)
        }
    }

    private struct Blob: WireMessage, Equatable {
        var data = ByteBuffer()
        /// Two bytes when present: reaches the sizes a count growing by a byte skips.
        var pad: Bool?

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "data", &data)
            try fields.field(2, "pad", &pad)
        }
    }

    /// A nested message between two other fields, so a wrong length shows in what follows.
    private struct Envelope: WireMessage, Equatable {
        var before: Int32 = 7
        var blob = Blob()
        var blobs: [Blob] = []
        var after = "after"

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "before", &before)
            try fields.field(2, "blob", &blob)
            try fields.field(3, "blobs", &blobs)
            try fields.field(4, "after", &after)
        }
    }

    private struct Outer: WireMessage, Equatable {
        var envelope = Envelope()
        var trailer: UInt64 = .max

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "envelope", &envelope)
            try fields.field(2, "trailer", &trailer)
        }
    }

    func testScalarsAtTheirLimits() {
        assertWireRoundTrip(Scalars())
        assertWireRoundTrip(
            Scalars(
                bool: true, int: .min, int32: .min, int64: .min, uint32: 0, uint64: 0, float: -.greatestFiniteMagnitude,
                double: -.greatestFiniteMagnitude, string: "a", bytes: ByteBuffer(bytes: [0]), date: .distantPast, mood: .sad))
        assertWireRoundTrip(
            Scalars(
                bool: true, int: .max, int32: .max, int64: .max, uint32: .max, uint64: .max, float: .leastNonzeroMagnitude,
                double: .leastNonzeroMagnitude, string: "z", bytes: ByteBuffer(repeating: 0xFF, count: 3), date: .distantFuture,
                mood: .ecstatic))
        assertWireRoundTrip(
            Scalars(
                bool: false, int: -1, int32: -129, int64: -1 << 40, uint32: 1 << 31, uint64: 1 << 63, float: 0.1, double: .pi, string: "",
                bytes: ByteBuffer(), date: Date(timeIntervalSince1970: 1_700_000_000.125), mood: .unknown))
    }

    func testIntegersAroundEveryVarintLength() throws {
        for shift in 0..<64 {
            for delta in [-1, 0, 1] {
                let unsigned = (UInt64(1) << shift) &+ UInt64(bitPattern: Int64(delta))
                let signed = Int64(bitPattern: unsigned)
                var message = Scalars()
                message.uint64 = unsigned
                message.int64 = signed
                message.int = Int(signed)
                message.uint32 = UInt32(truncatingIfNeeded: unsigned)
                message.int32 = Int32(truncatingIfNeeded: signed)
                XCTAssertEqual(try wireRoundTrip(message), message, "1 << \(shift) + \(delta)")
                XCTAssertEqual(try jsonRoundTrip(message), message, "1 << \(shift) + \(delta)")
                message.int64 = 0 &- signed
                message.int = 0 &- Int(signed)
                XCTAssertEqual(try wireRoundTrip(message), message, "-(1 << \(shift) + \(delta))")
            }
        }
    }

    func testFloatingPointSpecialValuesKeepTheirBits() throws {
        let doubles: [Double] = [
            0, -0.0, 1.5, -.pi, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .nan, -.nan, .signalingNaN,
            Double(bitPattern: 0x7FF8_0000_DEAD_BEEF),
        ]
        let floats: [Float] = [0, -0.0, 0.1, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .nan, .signalingNaN]
        for (index, double) in doubles.enumerated() {
            let float = floats[index % floats.count]
            let decoded = try wireRoundTrip(Floats(double: double, float: float, doubles: doubles, floats: floats))
            XCTAssertEqual(decoded.double.bitPattern, double.bitPattern, "\(double)")
            XCTAssertEqual(decoded.float.bitPattern, float.bitPattern, "\(float)")
            XCTAssertEqual(decoded.doubles.map(\.bitPattern), doubles.map(\.bitPattern))
            XCTAssertEqual(decoded.floats.map(\.bitPattern), floats.map(\.bitPattern))
        }
    }

    /// JSON has no NaN payloads, but the values themselves, the infinities and the sign of
    /// zero come back.
    func testFloatingPointSpecialValuesInJSON() throws {
        let doubles: [Double] = [0, -0.0, 1.5, -.pi, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-7, 1e21]
        let floats: [Float] = [0, -0.0, 0.1, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 3.4e-20]
        let decoded = try jsonRoundTrip(Floats(double: .nan, float: .nan, doubles: doubles, floats: floats))
        XCTAssertTrue(decoded.double.isNaN)
        XCTAssertTrue(decoded.float.isNaN)
        XCTAssertEqual(decoded.doubles.map(\.bitPattern), doubles.map(\.bitPattern), "\(decoded.doubles)")
        XCTAssertEqual(decoded.floats.map(\.bitPattern), floats.map(\.bitPattern), "\(decoded.floats)")
    }

    func testStrings() {
        let strings = [
            "", "a", "naïve café", "日本語のテキスト", "😀👩‍👩‍👧‍👦🇨🇭", "\u{0}nul inside", "\u{10FFFF}", "quote \" backslash \\ tab \t newline \n",
            "\u{1}\u{1F}\u{7F}", String(repeating: "long ", count: 1_000), String(repeating: "é", count: 100),
        ]
        for string in strings {
            assertWireRoundTrip(Scalars(string: string))
            assertWireRoundTrip(Arrays(strings: [string, "", string]))
        }
        assertWireRoundTrip(Arrays(strings: strings))
    }

    func testBytesAreSlicesOfThePayload() throws {
        let message = Scalars(bytes: ByteBuffer(bytes: Array(0...255)))
        assertWireRoundTrip(message)
        assertWireRoundTrip(Arrays(bytes: [ByteBuffer(), ByteBuffer(bytes: [1]), ByteBuffer(repeating: 0xAB, count: 70_000)]))
        var buffer = ByteBuffer()
        try message.encodeWire(into: &buffer)
        let decoded = try Scalars(wire: &buffer)
        XCTAssertEqual(Array(decoded.bytes.readableBytesView), Array(0...255))
    }

    func testDatesKeepTheirDoubleExactly() {
        for date in [
            Date(timeIntervalSinceReferenceDate: 0), Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_700_000_000.123_456_7),
            Date(timeIntervalSinceReferenceDate: -1e-9), .distantPast, .distantFuture,
        ] {
            assertWireRoundTrip(Scalars(date: date), json: false)
        }
        // JSON keeps milliseconds.
        assertWireRoundTrip(Scalars(date: Date(timeIntervalSince1970: 1_700_000_000.125)))
        assertWireRoundTrip(Scalars(date: Date(timeIntervalSince1970: -86_400)))
    }

    func testOptionalsNilAndPresentAtEveryPosition() {
        let allPresent = Optionals.allPresent
        assertWireRoundTrip(allPresent)
        assertWireRoundTrip(Optionals())
        // One field present among nils, then one nil among present fields, at each position.
        let copyField: [(inout Optionals, Optionals) -> Void] = [
            { $0.bool = $1.bool }, { $0.int = $1.int }, { $0.int32 = $1.int32 }, { $0.int64 = $1.int64 },
            { $0.uint32 = $1.uint32 }, { $0.uint64 = $1.uint64 }, { $0.float = $1.float }, { $0.double = $1.double },
            { $0.string = $1.string }, { $0.bytes = $1.bytes }, { $0.date = $1.date }, { $0.mood = $1.mood }, { $0.tree = $1.tree },
        ]
        XCTAssertEqual(copyField.count, Mirror(reflecting: allPresent).children.count)
        for (index, copy) in copyField.enumerated() {
            var onlyOne = Optionals()
            copy(&onlyOne, allPresent)
            XCTAssertNotEqual(onlyOne, Optionals(), "field \(index)")
            assertWireRoundTrip(onlyOne)
            var allButOne = allPresent
            copy(&allButOne, Optionals())
            XCTAssertNotEqual(allButOne, allPresent, "field \(index)")
            assertWireRoundTrip(allButOne)
        }
    }

    func testArraysOfEveryType() {
        assertWireRoundTrip(Arrays())
        assertWireRoundTrip(
            Arrays(
                bools: [true, false, true], ints: [0, .min, .max, -1], int32s: [.min, 0, .max], int64s: [-300, 300],
                uint32s: [.max, 0, 1], uint64s: [.max, 1 << 35], floats: [1, -2.5], doubles: [0.1, -1e-300],
                strings: ["", "日本", ""], bytes: [ByteBuffer(), ByteBuffer(string: "b")],
                dates: [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_700_000_000.25)], moods: [.sad, .unknown, .ecstatic],
                trees: [WireTree(), WireTree("a", [WireTree(), WireTree("b")]), WireTree()]))
        // One element each: a repeated field with one entry is a singular field on the wire.
        assertWireRoundTrip(Arrays(bools: [false], ints: [0], strings: [""], trees: [WireTree()]))
        // Many elements.
        assertWireRoundTrip(Arrays(ints: Array(-5_000...5_000), trees: Array(repeating: WireTree("x"), count: 1_000)))
    }

    func testEnumerations() {
        for mood in WireMood.allCases {
            assertWireRoundTrip(Scalars(mood: mood))
            assertWireRoundTrip(Optionals(mood: mood))
        }
        assertWireRoundTrip(Arrays(moods: WireMood.allCases + WireMood.allCases.reversed()))
    }

    func testRecursiveMessages() {
        assertWireRoundTrip(WireTree())
        assertWireRoundTrip(WireTree.chain(60))
        var tree = WireTree("leaf")
        for level in 0..<20 {
            tree = WireTree("level \(level)", [tree, WireTree("sibling"), WireTree()])
        }
        assertWireRoundTrip(tree)
    }

    /// The count of a nested message is reserved in five bytes and moved into its shortest
    /// form afterwards: sizes where that form grows by a byte, at one and two levels.
    func testNestedMessagesAtLengthBoundaries() throws {
        let boundaries = [2, 3, 126, 127, 128, 129, 16_382, 16_383, 16_384, 16_385, 2_097_151, 2_097_152]
        for size in boundaries {
            let blob = try blob(encodingTo: size)
            XCTAssertEqual(try wireBytes(blob).count, size)
            let envelope = Envelope(blob: blob, blobs: [blob, Blob(), blob])
            let bytes = try wireBytes(envelope)
            let blobBytes = try wireBytes(blob)
            let expected: [UInt8] =
                [0x08, 0x0E] + lengthDelimited(2, blobBytes) + lengthDelimited(3, blobBytes) + lengthDelimited(3, [0x0A, 0x00])
                + lengthDelimited(3, blobBytes) + lengthDelimited(4, Array("after".utf8))
            XCTAssertEqual(bytes.count, expected.count, "nested size \(size)")
            XCTAssertTrue(bytes == expected, "nested size \(size)")
            XCTAssertEqual(try wireDecode(Envelope.self, bytes), envelope, "nested size \(size)")

            let outer = Outer(envelope: envelope)
            let outerBytes = try wireBytes(outer)
            XCTAssertTrue(outerBytes == lengthDelimited(1, bytes) + [0x10] + varint(.max), "nested size \(size)")
            XCTAssertEqual(try wireDecode(Outer.self, outerBytes), outer, "nested size \(size)")
        }
    }

    /// Sizes around the boundaries for the enclosing message as well: the envelope's count
    /// changes length with the blob's.
    func testEveryNestedSizeNearTheFirstBoundaries() throws {
        for size in Array(100...140) + Array(16_360...16_400) {
            let outer = Outer(envelope: Envelope(blob: try blob(encodingTo: size)))
            let bytes = try wireBytes(outer)
            let envelopeBytes = try wireBytes(outer.envelope)
            XCTAssertTrue(bytes == lengthDelimited(1, envelopeBytes) + [0x10] + varint(.max), "nested size \(size)")
            XCTAssertEqual(try wireDecode(Outer.self, bytes), outer, "nested size \(size)")
        }
    }

    func testJSONOfNestedAndRepeatedMessages() {
        assertWireRoundTrip(Outer(envelope: Envelope(blob: Blob(data: ByteBuffer(string: "x")), blobs: [Blob(), Blob()])))
    }

    /// A blob message whose encoding takes exactly `size` bytes (at least 2).
    private func blob(encodingTo size: Int) throws -> Blob {
        // Key, count, data, and maybe the pad: try the count lengths until one fits.
        for pad in [false, true] {
            for countLength in 1...5 {
                let dataLength = size - 1 - countLength - (pad ? 2 : 0)
                if dataLength >= 0 && varint(UInt64(dataLength)).count == countLength {
                    return Blob(data: ByteBuffer(repeating: 0x5A, count: dataLength), pad: pad ? true : nil)
                }
            }
        }
        throw WireFormatError("no blob encodes to \(size) bytes")
    }
}
