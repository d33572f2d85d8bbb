import Foundation
import NIOCore
import RPC
import XCTest

final class BinaryPayloadHostileInputTests: XCTestCase {
    func testEveryTruncationThrows() throws {
        let bytes = try binaryBytes(SampleTimeline.sample)
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try binaryDecode(SampleTimeline.self, Array(bytes.prefix(length))), "prefix of \(length) bytes") { error in
                XCTAssertTrue(error is DecodingError, "prefix of \(length) bytes: \(error)")
            }
        }
        XCTAssertEqual(try binaryDecode(SampleTimeline.self, bytes), .sample)
    }

    func testTrailingBytesAreRejected() throws {
        assertBinaryRejects(SamplePost.self, try binaryBytes(SamplePost.sample) + [0x00], mentioning: "1 unexpected bytes after the value")
        assertBinaryRejects(NoFields.self, [0x00], mentioning: "unexpected bytes")
    }

    func testLengthsBeyondTheInputAreRejectedBeforeAllocating() {
        let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        assertBinaryRejects(String.self, huge + [0x61], mentioning: "exceeds the 1 bytes left")
        assertBinaryRejects([Int].self, huge + [0x00, 0x00], mentioning: "exceeds")
        assertBinaryRejects([UInt8].self, huge, mentioning: "exceeds")
        assertBinaryRejects(Data.self, huge, mentioning: "exceeds")
        assertBinaryRejects(ByteBuffer.self, huge, mentioning: "exceeds")
        assertBinaryRejects([String: Int].self, huge, mentioning: "exceeds")
        assertBinaryRejects(Set<Int>.self, huge, mentioning: "exceeds")
        assertBinaryRejects(String.self, [0x05, 0x61], mentioning: "exceeds the 1 bytes left")
    }

    func testTruncatedFixedWidthValues() {
        assertBinaryRejects(Double.self, [0x00, 0x00, 0x00], mentioning: "truncated")
        assertBinaryRejects(Float.self, [], mentioning: "truncated")
        assertBinaryRejects(Bool.self, [], mentioning: "truncated")
        assertBinaryRejects(UInt64.self, [0x80, 0x80], mentioning: "truncated")
    }

    func testInvalidUTF8IsRejected() {
        assertBinaryRejects(String.self, [0x02, 0xC3, 0x28], mentioning: "UTF-8")
        assertBinaryRejects(String.self, [0x02, 0xC0, 0xAF], mentioning: "UTF-8")  // overlong "/"
        assertBinaryRejects(String.self, [0x03, 0xED, 0xA0, 0x80], mentioning: "UTF-8")  // surrogate
        assertBinaryRejects(String.self, [0x01, 0xFF], mentioning: "UTF-8")
    }

    func testInvalidBoolAndPresenceBytesAreRejected() {
        assertBinaryRejects(Bool.self, [0x02], mentioning: "invalid Bool byte 2")
        assertBinaryRejects(Int?.self, [0x02, 0x00], mentioning: "invalid presence byte 2")
        assertBinaryRejects(AllOptionals.self, [0x01, 0x01] + [UInt8](repeating: 0xFF, count: 20), mentioning: "invalid")
    }

    func testOverlongVarintsAreRejected() {
        assertBinaryRejects(UInt64.self, [UInt8](repeating: 0x80, count: 10) + [0x01], mentioning: "varint longer than 10 bytes")
        assertBinaryRejects(UInt64.self, [UInt8](repeating: 0xFF, count: 9) + [0x02], mentioning: "varint")
        XCTAssertEqual(try binaryDecode(UInt64.self, [UInt8](repeating: 0xFF, count: 9) + [0x01]), .max)
    }

    func testOutOfRangeIntegersAreRejected() {
        assertBinaryRejects(UInt8.self, [0x80, 0x02], mentioning: "integer 256 does not fit in UInt8")
        assertBinaryRejects(Int8.self, [0x80, 0x02], mentioning: "integer 128 does not fit in Int8")
        assertBinaryRejects(Int32.self, [0xFF, 0xFF, 0xFF, 0xFF, 0x7F], mentioning: "does not fit in Int32")
        assertBinaryRejects(PostVisibility.self, [0x03, 0x61, 0x6E, 0x79], mentioning: "Cannot initialize PostVisibility")
    }

    func testExcessiveNestingIsRejected() {
        // A node with an empty name and one child, a thousand times over.
        let deep = [[UInt8]](repeating: [0x00, 0x01], count: 1_000).flatMap { $0 }
        assertBinaryRejects(TreeNode.self, deep + [0x00, 0x00], mentioning: "nested deeper than the limit of 64")

        let shallow = TreeNode(name: "a", children: [TreeNode(name: "b", children: [TreeNode(name: "c", children: [])])])
        XCTAssertNoThrow(try binaryDecode(TreeNode.self, binaryBytes(shallow)))
        assertBinaryRejects(TreeNode.self, (try? binaryBytes(shallow)) ?? [], mentioning: "nested deeper", limits: .init(maxDepth: 4))
    }

    func testDuplicateDictionaryKeysAreRejected() {
        assertBinaryRejects([String: Int].self, [0x02, 0x01, 0x61, 0x02, 0x01, 0x61, 0x04], mentioning: "duplicate dictionary key")
    }

    func testReadingPastAnUnkeyedContainerThrows() {
        struct Greedy: Decodable {
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                _ = try container.decode(Int.self)
            }
        }
        assertBinaryRejects(Greedy.self, [0x00], mentioning: "read past the 0 elements")
    }

    func testBadPresenceByteInSingleValueDecodeNilIsReported() {
        // `SingleValueDecodingContainer.decodeNil()` cannot throw; the error must surface anyway.
        struct Probe: Decodable {
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if !container.decodeNil() {
                    _ = try container.decode(UInt8.self)
                }
            }
        }
        assertBinaryRejects(Probe.self, [0x05, 0x01], mentioning: "invalid presence byte 5")
        assertBinaryRejects(Probe.self, [], mentioning: "truncated before a presence byte")
        XCTAssertNoThrow(try binaryDecode(Probe.self, [0x00]))
        XCTAssertNoThrow(try binaryDecode(Probe.self, [0x01, 0x07]))
    }

    func testRandomCorruptionNeverCrashes() throws {
        var random = SplitMix64(seed: 0xBAD_B17E5)
        let valid = try binaryBytes(SampleTimeline.sample)
        for _ in 0..<5_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
            }
            // Either outcome is fine; trapping is not.
            _ = try? binaryDecode(SampleTimeline.self, bytes)
        }
    }
}
