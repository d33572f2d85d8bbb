import Foundation
import NIOCore
import RPC
import XCTest

final class BinaryPayloadPropertyTests: XCTestCase {
    private struct Record: Codable, Equatable {
        var int: Int
        var int8: Int8
        var int16: Int16?
        var int32: Int32
        var uint64: UInt64
        var uint16: UInt16?
        var double: Double
        var float: Float?
        var flag: Bool
        var text: String
        var optionalText: String?
        var date: Date
        var bytes: [UInt8]
        var map: [String: Int32]
        var optionals: [Int?]
        var children: [Record]

        static func random(depth: Int = 0, using random: inout SplitMix64) -> Record {
            Record(
                int: .randomSpread(using: &random),
                int8: .randomSpread(using: &random),
                int16: Bool.random(using: &random) ? .randomSpread(using: &random) : nil,
                int32: .randomSpread(using: &random),
                uint64: .randomSpread(using: &random),
                uint16: Bool.random(using: &random) ? .randomSpread(using: &random) : nil,
                double: .randomBits(using: &random),
                float: Bool.random(using: &random) ? .randomBits(using: &random) : nil,
                flag: .random(using: &random),
                text: .random(using: &random),
                optionalText: Bool.random(using: &random) ? .random(using: &random) : nil,
                date: Date(timeIntervalSinceReferenceDate: .randomBits(using: &random)),
                bytes: (0..<Int.random(in: 0...40, using: &random)).map { _ in .random(in: 0...255, using: &random) },
                map: Dictionary(
                    (0..<Int.random(in: 0...4, using: &random)).map { _ in
                        (String.random(using: &random), Int32.randomSpread(using: &random))
                    },
                    uniquingKeysWith: { first, _ in first }
                ),
                optionals: (0..<Int.random(in: 0...5, using: &random)).map { _ in
                    Bool.random(using: &random) ? .randomSpread(using: &random) : nil
                },
                children: depth >= 3
                    ? [] : (0..<Int.random(in: 0...2, using: &random)).map { _ in .random(depth: depth + 1, using: &random) }
            )
        }
    }

    func testRandomValuesRoundTrip() throws {
        var random = SplitMix64(seed: 20_250_131)
        for iteration in 0..<500 {
            let record = Record.random(using: &random)
            let bytes = try binaryBytes(record)
            XCTAssertEqual(try binaryDecode(Record.self, bytes), record, "iteration \(iteration)")
        }
    }
}

extension FixedWidthInteger {
    /// Uniform bits shifted right by a random amount, so every varint length is exercised
    /// rather than almost always the longest.
    fileprivate static func randomSpread(using random: inout SplitMix64) -> Self {
        let bits = Self(truncatingIfNeeded: random.next())
        return bits >> Int.random(in: 0..<Self.bitWidth, using: &random)
    }
}

extension BinaryFloatingPoint where RawSignificand: FixedWidthInteger {
    /// Any bit pattern but NaN (which would not compare equal to itself).
    fileprivate static func randomBits(using random: inout SplitMix64) -> Self {
        let value = Self(
            sign: Bool.random(using: &random) ? .minus : .plus,
            exponentBitPattern: .init(truncatingIfNeeded: random.next() & ((1 << Self.exponentBitCount) - 1)),
            significandBitPattern: .init(truncatingIfNeeded: random.next() & ((1 << Self.significandBitCount) - 1))
        )
        return value.isNaN ? .infinity : value
    }
}

extension String {
    fileprivate static func random(using random: inout SplitMix64) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\n", "é", "ß", "日", "本", "😀", "👩‍👩‍👧", "\u{0}", "\u{10FFFF}"]
        return String((0..<Int.random(in: 0...20, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" })
    }
}
