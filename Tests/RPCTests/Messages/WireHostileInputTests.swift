import Foundation
import NIOCore
import RPC
import XCTest

/// Bytes from a peer that is broken or hostile: every one is refused with an error, none
/// traps, overflows the stack or allocates what the input does not hold.
final class WireHostileInputTests: XCTestCase {
    private struct Item: WireMessage, Equatable {
        var id: Int32 = 0
        var tags: [String] = []
        var weight: Float?
        var code: UInt32 = 0

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "id", &id)
            try fields.field(2, "tags", &tags)
            try fields.field(3, "weight", &weight)
            try fields.field(4, "code", &code)
        }
    }

    /// Ends with a required field, so that no proper prefix is a whole message.
    private struct Sample: WireMessage, Equatable {
        var flag = false
        var count: Int64 = 0
        var score: Double?
        var items: [Item] = []
        var tree = WireTree()
        var body = ByteBuffer()
        var mood = WireMood.unknown
        var at = Date(timeIntervalSinceReferenceDate: 0)
        var name = ""

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "flag", &flag)
            try fields.field(2, "count", &count)
            try fields.field(3, "score", &score)
            try fields.field(4, "items", &items)
            try fields.field(5, "tree", &tree)
            try fields.field(6, "body", &body)
            try fields.field(7, "mood", &mood)
            try fields.field(8, "at", &at)
            try fields.field(9, "name", &name)
        }

        static let sample = Sample(
            flag: true, count: -300, score: 2.5,
            items: [Item(id: 1, tags: ["a", "日本"], weight: 0.5, code: 7), Item(id: -2, tags: [], weight: nil, code: 300)],
            tree: WireTree("root", [WireTree("child", [WireTree("grandchild")])]), body: ByteBuffer(bytes: [0, 1, 2]), mood: .sad,
            at: Date(timeIntervalSinceReferenceDate: 1_000), name: "naïve")
    }

    private struct Text: WireMessage, Equatable {
        var text = ""
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "text", &text) }
    }

    private struct Numbers: WireMessage, Equatable {
        var int32: Int32?
        var uint32: UInt32?
        var flag: Bool?
        var uint64: UInt64?
        var mood: WireMood?
        var int64: Int64?
        var ratio: Double?
        var body: ByteBuffer?

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "int32", &int32)
            try fields.field(2, "uint32", &uint32)
            try fields.field(3, "flag", &flag)
            try fields.field(4, "uint64", &uint64)
            try fields.field(5, "mood", &mood)
            try fields.field(6, "int64", &int64)
            try fields.field(7, "ratio", &ratio)
            try fields.field(8, "body", &body)
        }
    }

    private struct Empty: WireMessage, Equatable {
        mutating func wireFields(_ fields: inout WireFields) throws {}
    }

    private struct Chain: WireMessage, Equatable {
        var inner: Chain2?
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "inner", &inner) }
    }

    private struct Chain2: WireMessage, Equatable {
        var text = Text()
        mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "text", &text) }
    }

    func testEveryTruncationThrows() throws {
        let bytes = try wireBytes(Sample.sample)
        XCTAssertEqual(try wireDecode(Sample.self, bytes), .sample)
        for length in 0..<bytes.count {
            assertWireRejects(Sample.self, Array(bytes.prefix(length)))
        }
    }

    func testTruncationInsideEachValueSaysSo() {
        assertWireRejects(Numbers.self, [0x08], mentioning: "int32", "truncated")
        assertWireRejects(Numbers.self, [0x20, 0x80, 0x80], mentioning: "uint64", "truncated")
        assertWireRejects(Numbers.self, [0x39, 0x00, 0x00, 0x00], mentioning: "ratio", "truncated: 8 more bytes needed, 3 left")
        assertWireRejects(Item.self, [0x08, 0x02, 0x1D, 0x00], mentioning: "weight", "truncated: 4 more bytes needed, 1 left")
        assertWireRejects(Text.self, [0x0A, 0x05, 0x61], mentioning: "text", "length 5 exceeds the 1 bytes left")
        assertWireRejects(Text.self, [0x80], mentioning: "truncated")
    }

    func testLengthsBeyondTheInputAreRefusedBeforeAllocating() {
        let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        assertWireRejects(Text.self, [0x0A] + huge + [0x61], mentioning: "text", "exceeds the 1 bytes left")
        assertWireRejects(Numbers.self, [0x42] + huge, mentioning: "body", "exceeds the 0 bytes left")
        assertWireRejects(Chain.self, [0x0A] + huge, mentioning: "inner", "exceeds the 0 bytes left")
        assertWireRejects(Item.self, [0x08, 0x00, 0x12] + huge + [0x08, 0x00], mentioning: "tags[0]", "exceeds the 2 bytes left")
        // An unknown field's length is checked as well.
        assertWireRejects(Empty.self, [0x0A] + huge, mentioning: "exceeds the 0 bytes left")
        assertWireRejects(Empty.self, [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], mentioning: "exceeds")
        // A nested length within the payload but beyond the message that encloses it.
        let text = lengthDelimited(1, [0x0A, 0x05, 0x61, 0x62])  // Text claims 5 bytes, its message holds 4
        assertWireRejects(
            Chain.self, lengthDelimited(1, text) + [0x61, 0x62, 0x63], mentioning: "inner.text", "length 5 exceeds the 2 bytes left")
    }

    func testOverlongVarintsAreRefused() throws {
        assertWireRejects(Numbers.self, [0x20] + [UInt8](repeating: 0x80, count: 10) + [0x01], mentioning: "varint longer than 10 bytes")
        assertWireRejects(Numbers.self, [0x20] + [UInt8](repeating: 0xFF, count: 9) + [0x02], mentioning: "varint")
        assertWireRejects(Numbers.self, [UInt8](repeating: 0xFF, count: 11), mentioning: "varint")
        assertWireRejects(Numbers.self, [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80], mentioning: "varint")
        // Ten bytes holding 64 bits is the longest valid varint.
        XCTAssertEqual(try wireDecode(Numbers.self, [0x20] + [UInt8](repeating: 0xFF, count: 9) + [0x01]).uint64, .max)
        XCTAssertEqual(try wireDecode(Numbers.self, [0x20] + [UInt8](repeating: 0x80, count: 9) + [0x00]).uint64, 0)
    }

    func testInvalidUTF8IsRefused() {
        for invalid: [UInt8] in [[0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF], [0xC3], [0xF4, 0x90, 0x80, 0x80], [0x80]] {
            assertWireRejects(Text.self, lengthDelimited(1, invalid), mentioning: "text", "not valid UTF-8")
        }
        // A character cut by the string's own length, though its bytes follow in the payload.
        assertWireRejects(Chain2.self, lengthDelimited(1, [0x0A, 0x01, 0xC3]) + [0xA9], mentioning: "text.text", "UTF-8")
    }

    /// ASCII is checked eight bytes at a time: a bad byte at every offset of strings around
    /// that width, and a good multi-byte character there.
    func testUTF8IsCheckedAtEveryOffset() throws {
        for length in 1...33 {
            for offset in 0..<length {
                var bytes = [UInt8](repeating: 0x61, count: length)
                bytes[offset] = 0xFF
                assertWireRejects(Text.self, lengthDelimited(1, bytes), mentioning: "UTF-8")
                if offset + 1 < length {
                    bytes[offset] = 0xC3
                    bytes[offset + 1] = 0xA9
                    XCTAssertEqual(try wireDecode(Text.self, lengthDelimited(1, bytes)).text.count, length - 1)
                }
            }
        }
    }

    func testIntegersOutOfRangeAreRefused() throws {
        // Zigzag 2^31 is 2^32: one more than Int32.max.
        assertWireRejects(Numbers.self, [0x08] + varint(1 << 32), mentioning: "int32", "integer 2147483648 does not fit in Int32")
        assertWireRejects(Numbers.self, [0x08] + varint((1 << 32) + 1), mentioning: "integer -2147483649 does not fit in Int32")
        XCTAssertEqual(try wireDecode(Numbers.self, [0x08] + varint((1 << 32) - 2)).int32, .max)
        XCTAssertEqual(try wireDecode(Numbers.self, [0x08] + varint((1 << 32) - 1)).int32, .min)
        assertWireRejects(Numbers.self, [0x10] + varint(1 << 32), mentioning: "uint32", "integer 4294967296 does not fit in UInt32")
        XCTAssertEqual(try wireDecode(Numbers.self, [0x10] + varint((1 << 32) - 1)).uint32, .max)
        // An enumeration's number is an Int32.
        assertWireRejects(Numbers.self, [0x28] + varint(1 << 32), mentioning: "mood", "does not fit in Int32")
        XCTAssertEqual(try wireDecode(Numbers.self, [0x28, 0x02]).mood, .happy)
        XCTAssertEqual(try wireDecode(Numbers.self, [0x28, 0x04]).mood, .unknown, "2 is no case")
    }

    func testBooleansAreZeroOrOne() throws {
        assertWireRejects(Numbers.self, [0x18, 0x02], mentioning: "flag", "invalid Bool 2, expected 0 or 1")
        assertWireRejects(Numbers.self, [0x18, 0xFF, 0x01], mentioning: "invalid Bool 255")
        XCTAssertEqual(try wireDecode(Numbers.self, [0x18, 0x01]).flag, true)
        XCTAssertEqual(try wireDecode(Numbers.self, [0x18, 0x80, 0x00]).flag, false)
    }

    func testWireTypesThatDoNotExistAreRefused() {
        for type: UInt8 in [3, 4, 6, 7] {
            // On a known field and on an unknown one, before and after the known ones.
            assertWireRejects(Numbers.self, [0x08 | type, 0x00], mentioning: "field 1 has wire type \(type), expected 0")
            assertWireRejects(Numbers.self, [0x78 | type, 0x00], mentioning: "unknown wire type \(type)")
            assertWireRejects(Empty.self, [0x08 | type, 0x00], mentioning: "unknown wire type \(type)")
            assertWireRejects(Text.self, [0x0A, 0x00, 0x10 | type], mentioning: "unknown wire type \(type)")
        }
    }

    func testTagsOutOfRangeAreRefused() {
        assertWireRejects(Numbers.self, [0x00, 0x00], mentioning: "field tag 0 is out of range")
        assertWireRejects(Empty.self, [0x00, 0x00], mentioning: "field 0")
        assertWireRejects(Text.self, [0x0A, 0x00, 0x00, 0x00], mentioning: "field 0")
        // 2^29, one above the largest tag, as a key: 2^32.
        assertWireRejects(Numbers.self, varint(1 << 32) + [0x00], mentioning: "field tag 536870912 is out of range")
        assertWireRejects(Empty.self, varint(1 << 32) + [0x00], mentioning: "field 536870912")
        assertWireRejects(Numbers.self, varint(.max), mentioning: "out of range")
    }

    func testNestingBeyondTheLimitIsRefused() throws {
        let limit = WireLimits().maxDepth
        XCTAssertEqual(limit, 64)
        XCTAssertEqual(deepTreeBytes(levels: 3), try wireBytes(WireTree("", [WireTree("", [WireTree("", [WireTree("")])])])))
        XCTAssertEqual(try wireDecode(WireTree.self, deepTreeBytes(levels: limit)), emptyChain(limit))
        assertWireRejects(WireTree.self, deepTreeBytes(levels: limit + 1), mentioning: "nested deeper than 64")
        for maxDepth in 0...5 {
            let limits = WireLimits(maxDepth: maxDepth)
            XCTAssertEqual(try wireDecode(WireTree.self, deepTreeBytes(levels: maxDepth), limits: limits), emptyChain(maxDepth))
            assertWireRejects(
                WireTree.self, deepTreeBytes(levels: maxDepth + 1), mentioning: "nested deeper than \(maxDepth)", limits: limits)
        }
    }

    /// A hundred thousand levels: refused at the limit, long before the stack runs out.
    func testVeryDeepNestingDoesNotOverflowTheStack() {
        let bytes = deepTreeBytes(levels: 100_000)
        assertWireRejects(WireTree.self, bytes, mentioning: "nested deeper than 64", "children[0].children[0]")
        // The limit is the caller's: a higher one lets deeper messages through.
        XCTAssertNoThrow(try wireDecode(WireTree.self, deepTreeBytes(levels: 200), limits: WireLimits(maxDepth: 200)))
    }

    func testRandomBytesThrowOrDecodeToSomethingThatRoundTrips() throws {
        var random = SplitMix64(seed: 0x5EED_0001)
        var decodedCount = 0
        for iteration in 0..<3_000 {
            let length = Int.random(in: 0...48, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            decodedCount += try checkThrowsOrRoundTrips(Numbers.self, bytes, "iteration \(iteration)")
            decodedCount += try checkThrowsOrRoundTrips(Item.self, bytes, "iteration \(iteration)")
            decodedCount += try checkThrowsOrRoundTrips(Empty.self, bytes, "iteration \(iteration)")
        }
        XCTAssertGreaterThan(decodedCount, 0, "some random inputs are valid messages")
    }

    func testRandomCorruptionOfAValidMessage() throws {
        var random = SplitMix64(seed: 0xBAD_B17E5)
        let valid = try wireBytes(Sample.sample)
        var decodedCount = 0
        for iteration in 0..<3_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 2: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
            }
            decodedCount += try checkThrowsOrRoundTrips(Sample.self, bytes, "iteration \(iteration)")
        }
        XCTAssertGreaterThan(decodedCount, 0, "some corruptions keep the message valid")
    }

    // MARK: Helpers

    /// Decodes `bytes`: a failure must be a ``WireFormatError``; a success must encode to
    /// bytes that decode and encode to the same bytes again. Returns 1 for a success.
    private func checkThrowsOrRoundTrips<Message: WireMessage>(
        _: Message.Type, _ bytes: [UInt8], _ context: String, file: StaticString = #filePath, line: UInt = #line
    ) throws -> Int {
        let decoded: Message
        do {
            decoded = try wireDecode(Message.self, bytes)
        } catch is WireFormatError {
            return 0
        } catch {
            XCTFail("\(context): expected WireFormatError, got \(error)", file: file, line: line)
            return 0
        }
        let encoded = try wireBytes(decoded)
        let again = try wireBytes(wireDecode(Message.self, encoded))
        XCTAssertEqual(encoded, again, "\(context): \(bytes)", file: file, line: line)
        return 1
    }

    private func emptyChain(_ levels: Int) -> WireTree {
        var tree = WireTree("")
        for _ in 0..<levels {
            tree = WireTree("", [tree])
        }
        return tree
    }
}
