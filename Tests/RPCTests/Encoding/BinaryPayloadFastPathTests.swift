import Foundation
import NIOCore
import XCTest

@testable import RPC

/// The public fast path (`BinaryPayloadEncodable`, `BinaryPayloadOutput`, …) against the
/// `Codable` path it must reproduce byte for byte.
final class BinaryPayloadFastPathTests: XCTestCase {
    func testEncoderAndDecoderTakeTheFastPathAndTheTestHookBypassesIt() throws {
        let value = OffByOne(value: 5)
        XCTAssertEqual(try binaryBytes(value), [12])  // 6, zigzagged
        XCTAssertEqual(try codableBinaryBytes(value), [10])  // 5, zigzagged
        XCTAssertEqual(try binaryDecode(OffByOne.self, [12]), value)
        XCTAssertEqual(try codableBinaryDecode(OffByOne.self, [12]), OffByOne(value: 6))
        // Nested, in the format's own containers, and through the public output and input.
        XCTAssertEqual(try binaryBytes([value]), [1, 12])
        XCTAssertEqual(try binaryBytes(Optional(value)), [1, 12])
        XCTAssertEqual(try codableBinaryBytes([Optional(value)]), [1, 1, 10])
        XCTAssertEqual(try binaryDecode([OffByOne?].self, [1, 1, 12]), [value])
        XCTAssertEqual(try codableBinaryDecode([OffByOne?].self, [1, 1, 12]), [OffByOne(value: 6)])
    }

    func testEdgeCasesMatchCodable() {
        assertFastPathMatchesCodable(FastEverything.minimal)
        assertFastPathMatchesCodable(FastEverything.extremes(min: true))
        assertFastPathMatchesCodable(FastEverything.extremes(min: false))
        assertFastPathMatchesCodable(FastLevel.low)
        assertFastPathMatchesCodable(FastLevel.high)
        assertFastPathMatchesCodable(FastLeaf(name: "", weight: nil))
        assertFastPathMatchesCodable(FastLeaf(name: "日本😀", weight: .min))
        assertFastPathMatchesCodable(FastTree.deep(3))
        assertFastPathMatchesCodable([FastLeaf(name: "a", weight: 1), FastLeaf(name: "b", weight: nil)])
        assertFastPathMatchesCodable([FastLeaf?.none, FastLeaf(name: "c", weight: -1)])
    }

    func testRandomValuesMatchCodable() {
        var random = SplitMix64(seed: 20_260_301)
        for iteration in 0..<300 {
            assertFastPathMatchesCodable(FastEverything.random(using: &random), "iteration \(iteration)")
        }
    }

    func testTruncatedAndCorruptedInputFailsLikeCodable() throws {
        var random = SplitMix64(seed: 7)
        for value in [FastEverything.minimal, .random(using: &random), .random(using: &random)] {
            assertFastPathRejectsLikeCodable(FastEverything.self, try binaryBytes(value), ownCheck: "FastLevel")
        }
        // About 1 900 bytes: every position would take long in a debug build.
        let extremes = try binaryBytes(FastEverything.extremes(min: true))
        assertFastPathRejectsLikeCodable(FastEverything.self, extremes, sampling: 400, ownCheck: "FastLevel")
        assertFastPathRejectsLikeCodable(FastLeaf.self, try binaryBytes(FastLeaf(name: "日本", weight: -300)))
        assertFastPathRejectsLikeCodable(FastTree.self, try binaryBytes(FastTree.deep(4)))
    }

    func testHandWrittenChecksThrowAtTheirOffset() throws {
        assertBinaryRejects(FastLevel.self, [0x02], mentioning: "no FastLevel with raw value 2 (payload byte offset 1)")
        assertBinaryRejects(FastLeaf.self, [0x01, 0x61, 0x02], mentioning: "invalid presence byte 2")
        assertBinaryRejects(FastLeaf.self, [0x02, 0xC3, 0x28, 0x00], mentioning: "UTF-8")
        assertBinaryRejects(FastLeaf.self, [0x01, 0x61, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], mentioning: "does not fit in Int32")
        assertBinaryRejects([FastLeaf].self, [0x05, 0x00, 0x00], mentioning: "exceeds the 2 bytes left")
        assertBinaryRejects(FastTree.self, [0x00, 0x05, 0x00, 0x00], mentioning: "exceeds the 2 bytes left")
        assertBinaryRejects(FastLeaf.self, [0x01, 0x61, 0x00, 0x00], mentioning: "1 unexpected bytes after the value")
    }

    func testNestingLimitAppliesToHandWrittenArraysAsToCodable() throws {
        // A node with an empty name and one child, ten thousand times over: without the
        // limit, `readArray(of:)` would recurse until the stack overflows.
        let deep: [UInt8] = Array([[UInt8]](repeating: [0x00, 0x01], count: 10_000).joined()) + [0x00, 0x00]
        assertBinaryRejects(FastTree.self, deep, mentioning: "nested deeper than the limit of 64")

        let tree = try binaryBytes(FastTree.deep(3))
        for maxDepth in 1...10 {
            let limits = BinaryPayloadDecoder.Limits(maxDepth: maxDepth)
            let fast = try? binaryDecode(FastTree.self, tree, limits: limits)
            let codable = try? codableBinaryDecode(FastTree.self, tree, limits: limits)
            XCTAssertEqual(fast, codable, "max depth \(maxDepth)")
        }
    }

    func testEncodingErrorsLeaveTheBufferAsItWas() throws {
        // `writeArray` refuses elements that write nothing, as `Array` does.
        struct Empty: Codable, BinaryPayloadEncodable {
            func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {}
        }
        struct Holder: Codable, BinaryPayloadEncodable {
            var items: [Empty]
            func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
                try output.writeArray(self.items)
            }
        }
        var buffer = ByteBuffer(string: "kept")
        XCTAssertThrowsError(try BinaryPayloadEncoder().encode(Holder(items: [Empty()]), into: &buffer)) {
            XCTAssertTrue($0 is EncodingError, "\($0)")
        }
        XCTAssertThrowsError(try codableBinaryBytes(Holder(items: [Empty()])))
        XCTAssertEqual(String(buffer: buffer), "kept")
        XCTAssertEqual(try binaryBytes(Holder(items: [])), [0x00])
    }
}

// MARK: Values

extension FastEverything {
    static let minimal = FastEverything(
        bool: false, string: "", double: 0, float: 0, int: 0, int8: 0, int16: 0, int32: 0, int64: 0,
        uint: 0, uint8: 0, uint16: 0, uint32: 0, uint64: 0, date: Date(timeIntervalSinceReferenceDate: 0),
        maybeBool: nil, maybeString: nil, maybeDouble: nil, maybeFloat: nil, maybeInt: nil, maybeInt8: nil,
        maybeInt16: nil, maybeInt32: nil, maybeInt64: nil, maybeUInt: nil, maybeUInt8: nil, maybeUInt16: nil,
        maybeUInt32: nil, maybeUInt64: nil, maybeDate: nil, level: .low, tags: [], leaves: [],
        leaf: FastLeaf(name: "", weight: nil), maybeLeaf: nil,
        post: SamplePost(id: 0, username: "", text: "", referencedUsername: nil, createdAt: Date(timeIntervalSinceReferenceDate: 0)),
        maybePost: nil, bytes: [], buffer: ByteBuffer(), data: Data(), grid: []
    )

    static func extremes(min: Bool) -> FastEverything {
        func pick<I: FixedWidthInteger>(_: I.Type) -> I { min ? I.min : I.max }
        let date = Date(timeIntervalSinceReferenceDate: min ? -.greatestFiniteMagnitude : .infinity)
        return FastEverything(
            bool: true, string: "naïve 日本 😀👩‍👩‍👧\u{0}", double: min ? -.infinity : .greatestFiniteMagnitude,
            float: min ? -.leastNonzeroMagnitude : .infinity,
            int: pick(Int.self), int8: pick(Int8.self), int16: pick(Int16.self), int32: pick(Int32.self), int64: pick(Int64.self),
            uint: pick(UInt.self), uint8: pick(UInt8.self), uint16: pick(UInt16.self), uint32: pick(UInt32.self),
            uint64: pick(UInt64.self), date: date,
            maybeBool: false, maybeString: "", maybeDouble: -0.0, maybeFloat: 0.1, maybeInt: pick(Int.self),
            maybeInt8: pick(Int8.self), maybeInt16: pick(Int16.self), maybeInt32: pick(Int32.self), maybeInt64: pick(Int64.self),
            maybeUInt: pick(UInt.self), maybeUInt8: pick(UInt8.self), maybeUInt16: pick(UInt16.self),
            maybeUInt32: pick(UInt32.self), maybeUInt64: pick(UInt64.self), maybeDate: Date(timeIntervalSince1970: 1_700_000_000.123_456),
            level: .high, tags: ["", "é", String(repeating: "x", count: 300)],
            leaves: (0..<100).map { FastLeaf(name: "\($0)", weight: $0 % 3 == 0 ? nil : Int32($0) - 50) },
            leaf: FastLeaf(name: "leaf", weight: pick(Int32.self)), maybeLeaf: FastLeaf(name: "", weight: 0),
            post: .sample, maybePost: .sample, bytes: Array(0...255), buffer: ByteBuffer(bytes: [0, 0xFF]),
            data: Data(repeating: 0xAB, count: 200), grid: [[], [pick(Int.self)], [-1, 0, 1]]
        )
    }

    static func random(using random: inout SplitMix64) -> FastEverything {
        func maybe<T>(_ make: (inout SplitMix64) -> T) -> T? {
            Bool.random(using: &random) ? make(&random) : nil
        }
        func int<I: FixedWidthInteger>(_: I.Type) -> I { .fastRandom(using: &random) }
        func maybeInt<I: FixedWidthInteger>(_: I.Type) -> I? { maybe { I.fastRandom(using: &$0) } }
        return FastEverything(
            bool: .random(using: &random), string: .fastRandom(using: &random),
            double: .fastRandom(using: &random), float: .fastRandom(using: &random),
            int: int(Int.self), int8: int(Int8.self), int16: int(Int16.self), int32: int(Int32.self), int64: int(Int64.self),
            uint: int(UInt.self), uint8: int(UInt8.self), uint16: int(UInt16.self), uint32: int(UInt32.self), uint64: int(UInt64.self),
            date: Date(timeIntervalSinceReferenceDate: .fastRandom(using: &random)),
            maybeBool: maybe { Bool.random(using: &$0) }, maybeString: maybe { String.fastRandom(using: &$0) },
            maybeDouble: maybe { Double.fastRandom(using: &$0) }, maybeFloat: maybe { Float.fastRandom(using: &$0) },
            maybeInt: maybeInt(Int.self), maybeInt8: maybeInt(Int8.self), maybeInt16: maybeInt(Int16.self),
            maybeInt32: maybeInt(Int32.self), maybeInt64: maybeInt(Int64.self), maybeUInt: maybeInt(UInt.self),
            maybeUInt8: maybeInt(UInt8.self), maybeUInt16: maybeInt(UInt16.self), maybeUInt32: maybeInt(UInt32.self),
            maybeUInt64: maybeInt(UInt64.self),
            maybeDate: maybe { Date(timeIntervalSinceReferenceDate: .fastRandom(using: &$0)) },
            level: Bool.random(using: &random) ? .low : .high,
            tags: (0..<Int.random(in: 0...5, using: &random)).map { _ in .fastRandom(using: &random) },
            leaves: (0..<Int.random(in: 0...5, using: &random)).map { _ in .random(using: &random) },
            leaf: .random(using: &random), maybeLeaf: maybe { FastLeaf.random(using: &$0) },
            post: .random(using: &random), maybePost: maybe { SamplePost.random(using: &$0) },
            bytes: (0..<Int.random(in: 0...40, using: &random)).map { _ in .random(in: 0...255, using: &random) },
            buffer: ByteBuffer(string: .fastRandom(using: &random)),
            data: Data(String.fastRandom(using: &random).utf8),
            grid: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                (0..<Int.random(in: 0...3, using: &random)).map { _ in Int.fastRandom(using: &random) }
            }
        )
    }
}

extension FastLeaf {
    static func random(using random: inout SplitMix64) -> FastLeaf {
        FastLeaf(name: .fastRandom(using: &random), weight: Bool.random(using: &random) ? .fastRandom(using: &random) : nil)
    }
}

extension FastTree {
    /// A tree `levels` deep, with two children per node.
    static func deep(_ levels: Int) -> FastTree {
        FastTree(name: "level \(levels)", children: levels <= 1 ? [] : [.deep(levels - 1), .deep(levels - 1)])
    }
}

extension SamplePost {
    static func random(using random: inout SplitMix64) -> SamplePost {
        SamplePost(
            id: .fastRandom(using: &random), username: .fastRandom(using: &random), text: .fastRandom(using: &random),
            referencedUsername: Bool.random(using: &random) ? .fastRandom(using: &random) : nil,
            createdAt: Date(timeIntervalSinceReferenceDate: .fastRandom(using: &random))
        )
    }
}

extension FixedWidthInteger {
    /// Uniform bits shifted right by a random amount, so every varint length comes up.
    fileprivate static func fastRandom(using random: inout SplitMix64) -> Self {
        Self(truncatingIfNeeded: random.next()) >> Int.random(in: 0..<Self.bitWidth, using: &random)
    }
}

extension BinaryFloatingPoint where RawSignificand: FixedWidthInteger {
    /// Any bit pattern but NaN (which would not compare equal to itself).
    fileprivate static func fastRandom(using random: inout SplitMix64) -> Self {
        let value = Self(
            sign: Bool.random(using: &random) ? .minus : .plus,
            exponentBitPattern: .init(truncatingIfNeeded: random.next() & ((1 << Self.exponentBitCount) - 1)),
            significandBitPattern: .init(truncatingIfNeeded: random.next() & ((1 << Self.significandBitCount) - 1))
        )
        return value.isNaN ? -.infinity : value
    }
}

extension String {
    fileprivate static func fastRandom(using random: inout SplitMix64) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "é", "ß", "日", "😀", "👩‍👩‍👧", "\u{0}", "\u{10FFFF}"]
        return String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" })
    }
}
