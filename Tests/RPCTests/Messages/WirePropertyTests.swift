import Foundation
import NIOCore
import RPC
import XCTest

/// Random messages from a seeded generator round-trip in both forms, and the binary form of
/// equal messages is the same bytes.
final class WirePropertyTests: XCTestCase {
    private struct Record: WireMessage, Equatable {
        var int = 0
        var int32: Int32 = 0
        var int64: Int64?
        var uint32: UInt32?
        var uint64: UInt64 = 0
        var double: Double = 0
        var float: Float?
        var flag = false
        var text = ""
        var optionalText: String?
        var date = Date(timeIntervalSinceReferenceDate: 0)
        var bytes = ByteBuffer()
        var mood = WireMood.unknown
        var numbers: [Int32] = []
        var texts: [String] = []
        var children: [Record] = []

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "int", &int)
            try fields.field(2, "int32", &int32)
            try fields.field(3, "int64", &int64)
            try fields.field(4, "uint32", &uint32)
            try fields.field(5, "uint64", &uint64, required: false)
            try fields.field(6, "double", &double)
            try fields.field(7, "float", &float)
            try fields.field(8, "flag", &flag)
            try fields.field(9, "text", &text)
            try fields.field(10, "optionalText", &optionalText)
            try fields.field(11, "date", &date)
            try fields.field(12, "bytes", &bytes)
            try fields.field(13, "mood", &mood)
            try fields.field(14, "numbers", &numbers)
            try fields.field(15, "texts", &texts)
            try fields.field(16, "children", &children)
        }

        mutating func removeDates() {
            date = Date(timeIntervalSinceReferenceDate: 0)
            for index in children.indices {
                children[index].removeDates()
            }
        }

        static func random(depth: Int = 0, using random: inout SplitMix64) -> Record {
            var record = Record()
            record.int = .randomSpread(using: &random)
            record.int32 = .randomSpread(using: &random)
            record.int64 = Bool.random(using: &random) ? .randomSpread(using: &random) : nil
            record.uint32 = Bool.random(using: &random) ? .randomSpread(using: &random) : nil
            record.uint64 = .randomSpread(using: &random)
            record.double = .randomFinite(using: &random)
            record.float = Bool.random(using: &random) ? .randomFinite(using: &random) : nil
            record.flag = .random(using: &random)
            record.text = .random(using: &random)
            record.optionalText = Bool.random(using: &random) ? .random(using: &random) : nil
            // Whole milliseconds, which JSON keeps exactly.
            record.date = Date(
                timeIntervalSince1970: Double(Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &random)) / 1_000)
            record.bytes = ByteBuffer(
                bytes: (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            record.mood = WireMood.allCases.randomElement(using: &random) ?? .unknown
            record.numbers = (0..<Int.random(in: 0...5, using: &random)).map { _ in .randomSpread(using: &random) }
            record.texts = (0..<Int.random(in: 0...3, using: &random)).map { _ in .random(using: &random) }
            if depth < 3 {
                record.children = (0..<Int.random(in: 0...2, using: &random)).map { _ in .random(depth: depth + 1, using: &random) }
            }
            return record
        }
    }

    func testRandomRecordsRoundTripInBothForms() throws {
        var random = SplitMix64(seed: 20_261_205)
        for iteration in 0..<300 {
            let record = Record.random(using: &random)
            let bytes = try wireBytes(record)
            let decoded = try wireDecode(Record.self, bytes)
            XCTAssertEqual(decoded, record, "iteration \(iteration)")
            XCTAssertEqual(try wireBytes(decoded), bytes, "iteration \(iteration): the same bytes again")
            // JSON carries dates to the millisecond, and Foundation's parser reads them back to
            // well within one rather than to the bit: compared as text, which is exact.
            let text = try jsonText(record)
            XCTAssertEqual(try jsonText(jsonDecode(Record.self, text)), text, "iteration \(iteration)")
            var undated = record
            undated.removeDates()
            XCTAssertEqual(try jsonRoundTrip(undated), undated, "iteration \(iteration)")
        }
    }

    /// A message read from JSON, sent in binary and written as JSON again is the same text:
    /// the two forms carry the same values (dates to the millisecond in JSON).
    func testBothFormsDescribeTheSameMessage() throws {
        var random = SplitMix64(seed: 7)
        for iteration in 0..<100 {
            let record = Record.random(using: &random)
            let text = try jsonText(record)
            XCTAssertEqual(try jsonText(wireRoundTrip(jsonDecode(Record.self, text))), text, "iteration \(iteration)")
            XCTAssertEqual(try jsonText(wireRoundTrip(record)), text, "iteration \(iteration)")
        }
    }
}

extension FixedWidthInteger {
    /// Uniform bits shifted right by a random amount, so that every varint length is
    /// exercised rather than almost always the longest.
    fileprivate static func randomSpread(using random: inout SplitMix64) -> Self {
        let bits = Self(truncatingIfNeeded: random.next())
        return bits >> Int.random(in: 0..<Self.bitWidth, using: &random)
    }
}

extension BinaryFloatingPoint where RawSignificand: FixedWidthInteger, RawExponent: FixedWidthInteger {
    /// Any finite bit pattern, subnormals and both zeros included.
    fileprivate static func randomFinite(using random: inout SplitMix64) -> Self {
        let value = Self(
            sign: Bool.random(using: &random) ? .minus : .plus,
            exponentBitPattern: .init(truncatingIfNeeded: random.next() & ((1 << Self.exponentBitCount) - 2)),
            significandBitPattern: .init(truncatingIfNeeded: random.next() & ((1 << Self.significandBitCount) - 1))
        )
        return value.isFinite ? value : 0
    }
}

extension String {
    fileprivate static func random(using random: inout SplitMix64) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "\n", "é", "ß", "日", "本", "😀", "👩‍👩‍👧", "\u{0}", "\u{1F}", "\u{10FFFF}"]
        return String((0..<Int.random(in: 0...20, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" })
    }
}
