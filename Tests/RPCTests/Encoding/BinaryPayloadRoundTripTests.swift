import Foundation
import NIOCore
import RPC
import XCTest

final class BinaryPayloadRoundTripTests: XCTestCase {
    func testIntegersAtTheirLimits() {
        assertBinaryRoundTrip(AllIntegers.min)
        assertBinaryRoundTrip(AllIntegers.max)
        assertBinaryRoundTrip(
            AllIntegers(
                int: -1, int8: -1, int16: -129, int32: -65_537, int64: -1 << 40, uint: 0, uint8: 128, uint16: 300, uint32: 1 << 31,
                uint64: 1 << 63))
    }

    func testTopLevelScalars() {
        assertBinaryRoundTrip(0)
        assertBinaryRoundTrip(Int.min)
        assertBinaryRoundTrip(UInt64.max)
        assertBinaryRoundTrip(true)
        assertBinaryRoundTrip(false)
        assertBinaryRoundTrip("")
        assertBinaryRoundTrip(Int?.none)
        assertBinaryRoundTrip(Int?.some(-5))
        assertBinaryRoundTrip(String??.some(nil))
        assertBinaryRoundTrip([Int]())
        assertBinaryRoundTrip(NoFields())
    }

    func testFloatingPointSpecialValues() throws {
        let doubles: [Double] = [
            0, -0.0, 1.5, -.pi, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .nan, -.signalingNaN,
        ]
        let decodedDoubles = try binaryRoundTrip(doubles)
        XCTAssertEqual(decodedDoubles.map(\.bitPattern), doubles.map(\.bitPattern))

        let floats: [Float] = [0, -0.0, 0.1, .infinity, -.infinity, .leastNormalMagnitude, .greatestFiniteMagnitude, .nan]
        let decodedFloats = try binaryRoundTrip(floats)
        XCTAssertEqual(decodedFloats.map(\.bitPattern), floats.map(\.bitPattern))
    }

    func testStrings() {
        for string in ["", "a", "naïve café", "日本語のテキスト", "😀👩‍👩‍👧‍👦🇨🇭", "\u{0}nul inside", String(repeating: "long ", count: 1_000)] {
            assertBinaryRoundTrip(string)
            assertBinaryRoundTrip([string])
        }
    }

    func testOptionalsNilAndPresentAtEveryPosition() {
        let allPresent = AllOptionals(
            bool: false, string: "", double: -0.5, float: 2, int: -1, int8: .min, int16: 7, int32: 8, int64: .max,
            uint: 9, uint8: 0, uint16: .max, uint32: 11, uint64: .max, nested: .sample, list: []
        )
        assertBinaryRoundTrip(allPresent)
        assertBinaryRoundTrip(AllOptionals())

        // One field present among nils, then one nil among present fields, at each position.
        let copyField: [(inout AllOptionals, AllOptionals) -> Void] = [
            { $0.bool = $1.bool }, { $0.string = $1.string }, { $0.double = $1.double }, { $0.float = $1.float },
            { $0.int = $1.int }, { $0.int8 = $1.int8 }, { $0.int16 = $1.int16 }, { $0.int32 = $1.int32 },
            { $0.int64 = $1.int64 }, { $0.uint = $1.uint }, { $0.uint8 = $1.uint8 }, { $0.uint16 = $1.uint16 },
            { $0.uint32 = $1.uint32 }, { $0.uint64 = $1.uint64 }, { $0.nested = $1.nested }, { $0.list = $1.list },
        ]
        XCTAssertEqual(copyField.count, Mirror(reflecting: allPresent).children.count)
        for copy in copyField {
            var onlyOne = AllOptionals()
            copy(&onlyOne, allPresent)
            assertBinaryRoundTrip(onlyOne)
            var allButOne = allPresent
            copy(&allButOne, AllOptionals())
            assertBinaryRoundTrip(allButOne)
        }
    }

    func testCollectionsEnumsAndFoundationTypes() {
        assertBinaryRoundTrip(SampleTimeline.sample)
        assertBinaryRoundTrip([SamplePost.sample, .sample])
        assertBinaryRoundTrip([Int?]())
        assertBinaryRoundTrip([String?.none, nil])
        assertBinaryRoundTrip([[String: Int]]([[:], ["k": 1]]))
        assertBinaryRoundTrip([UUID(): 1, UUID(): 2])
        assertBinaryRoundTrip(Set([1, 2, 3]))
        assertBinaryRoundTrip([PostVisibility.everyone, .followers])
        assertBinaryRoundTrip(PostPriority.low)
        assertBinaryRoundTrip(Date.distantPast)
        assertBinaryRoundTrip(Date(timeIntervalSince1970: 1_700_000_000.123_456))
        assertBinaryRoundTrip(Data())
        assertBinaryRoundTrip(Data(repeating: 0xAB, count: 70_000))
        assertBinaryRoundTrip([UInt8](repeating: 0xCD, count: 300))
        assertBinaryRoundTrip(ByteBuffer())
    }

    func testNestingWithinTheLimit() {
        var node = TreeNode(name: "leaf", children: [])
        for level in 0..<20 {
            node = TreeNode(name: "level \(level)", children: [node, TreeNode(name: "sibling", children: [])])
        }
        assertBinaryRoundTrip(node)
    }

    func testHandWrittenMirroredCoding() {
        assertBinaryRoundTrip(HandWrittenCoding(values: [1, -1, .max], point: (x: 1.5, y: -2), note: "n"))
        assertBinaryRoundTrip(HandWrittenCoding(values: [], point: (x: 0, y: 0), note: nil))
    }

    func testAppendsToAndConsumesFromBuffersInPlace() throws {
        var buffer = ByteBuffer(string: "header")
        try BinaryPayloadEncoder().encode(SamplePost.sample, into: &buffer)
        XCTAssertEqual(buffer.readString(length: 6), "header")
        XCTAssertEqual(try BinaryPayloadDecoder().decode(SamplePost.self, from: &buffer), .sample)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testFailedEncodingLeavesTheBufferUntouched() throws {
        struct WithEmptyElements: Codable {
            var id = 1
            var elements = [NoFields()]
        }
        var buffer = ByteBuffer(string: "keep")
        XCTAssertThrowsError(try BinaryPayloadEncoder().encode(WithEmptyElements(), into: &buffer)) { error in
            guard case .invalidValue = error as? EncodingError else {
                return XCTFail("expected EncodingError.invalidValue, got \(error)")
            }
        }
        XCTAssertEqual(buffer, ByteBuffer(string: "keep"))
    }

    func testFailedDecodingLeavesTheBufferUntouched() throws {
        var buffer = ByteBuffer(bytes: [0x05, 0x61])
        XCTAssertThrowsError(try BinaryPayloadDecoder().decode(String.self, from: &buffer))
        XCTAssertEqual(buffer.readableBytes, 2)
    }
}
