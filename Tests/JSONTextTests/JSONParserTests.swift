import Foundation
import JSONText
import XCTest

/// RFC 8259 and nothing more: what it accepts, what it refuses and where, and that it agrees
/// with Foundation wherever it accepts.
final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws(JSONParser.Error) -> ParsedJSON {
        try JSONParser.parse(Array(text.utf8))
    }

    private func assertRefused(_ bytes: [UInt8], _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try JSONParser.parse(bytes)
            XCTFail("accepted \(String(decoding: bytes, as: UTF8.self).debugDescription) as \(value)", file: file, line: line)
        } catch {
            XCTAssertTrue(error.reason.contains(reason), "\(error)", file: file, line: line)
        }
    }

    private func assertRefused(_ text: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        assertRefused(Array(text.utf8), reason, file: file, line: line)
    }

    func testValuesOfEveryKind() throws {
        XCTAssertEqual(
            try parse(#" { "a" : [1, -0, 2.5e-3, 1E+2, true, false, null, "x"], "b": {}, "c": [] } "#),
            .object([
                "a": .array([
                    .number("1"), .number("-0"), .number("2.5e-3"), .number("1E+2"), .bool(true), .bool(false), .null, .string("x"),
                ]),
                "b": .object([:]), "c": .array([]),
            ]))
        XCTAssertEqual(try parse("\t\r\n42\n"), .number("42"))
        XCTAssertEqual(try parse(#""""#), .string(""))
    }

    func testStringEscapesAndUTF8() throws {
        XCTAssertEqual(try parse(#""\"\\\/\b\f\n\r\t""#), .string("\"\\/\u{8}\u{C}\n\r\t"))
        XCTAssertEqual(try parse(#""caf\u00e9 \u6771 \ud83d\ude00 \u0000""#), .string("café 東 😀 \u{0}"))
        XCTAssertEqual(try parse("\"née 東京 🙂\""), .string("née 東京 🙂"))
        XCTAssertEqual(try parse(#""a\nb" "#), .string("a\nb"), "runs on both sides of an escape")
    }

    func testRefusals() {
        assertRefused("", "end of input")
        assertRefused("   ", "end of input")
        assertRefused(#"{"a":1,}"#, "member name")
        assertRefused("[1,]", "unexpected character")
        assertRefused(#"{"a":1 "b":2}"#, "expected ',' or '}'")
        assertRefused("[1 2]", "expected ',' or ']'")
        assertRefused(#"{"a" 1}"#, "expected ':'")
        assertRefused("{'a':1}", "member name")
        assertRefused("01", "after the value")
        assertRefused("1.", "after '.'")
        assertRefused(".5", "unexpected character")
        assertRefused("+1", "unexpected character")
        assertRefused("-", "expected a digit")
        assertRefused("1e", "exponent")
        assertRefused("1e+", "exponent")
        assertRefused("NaN", "unexpected character")
        assertRefused("Infinity", "unexpected character")
        assertRefused("tru", "unexpected character")
        assertRefused("nul", "unexpected character")
        assertRefused(#""abc"#, "unterminated")
        assertRefused("\"a\tb\"", "control character")
        assertRefused(#""\x""#, "invalid escape")
        assertRefused(#""\u12""#, "unterminated")
        assertRefused(#""\u12g4""#, "\\u escape")
        assertRefused(#""\ud83d""#, "lone surrogate")
        assertRefused(#""\ud83dx""#, "lone surrogate")
        assertRefused(#""\ud83d\u0041""#, "lone surrogate")
        assertRefused(#""\ude00""#, "lone surrogate")
        assertRefused([0x22, 0xFF, 0x22], "not UTF-8")
        assertRefused([0x22, 0xC3, 0x28, 0x22], "not UTF-8")
        assertRefused([0xEF, 0xBB, 0xBF] + Array("{}".utf8), "unexpected character")
        assertRefused(#"{"a":1,"a":2}"#, "given more than once")
        assertRefused("{} {}", "after the value")
        assertRefused("/* c */ {}", "unexpected character")
        assertRefused("{}\u{0}", "after the value")
    }

    func testRefusalsSayWhere() {
        do {
            _ = try parse(#"{"name": tru}"#)
            XCTFail("accepted")
        } catch {
            XCTAssertEqual(error.offset, 9)
            XCTAssertEqual(error.description, "unexpected character at byte 9")
        }
        do {
            _ = try parse(#"{"a":1, "a":2}"#)
            XCTFail("accepted")
        } catch {
            XCTAssertEqual(error.offset, 8, "at the repeated name")
        }
    }

    /// Nesting is bounded, so hostile input cannot exhaust the stack.
    func testDepthIsBounded() throws {
        let limit = JSONParser.defaultMaximumDepth
        XCTAssertNoThrow(try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)))
        assertRefused(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1), "nested too deeply")
        assertRefused(String(repeating: #"{"a":"#, count: 100_000), "nested too deeply")
        assertRefused(String(repeating: "[", count: 1_000_000), "nested too deeply")
        XCTAssertNoThrow(try JSONParser.parse(Array("[[[]]]".utf8), maximumDepth: 3))
        XCTAssertThrowsError(try JSONParser.parse(Array("[[[[]]]]".utf8), maximumDepth: 3))
    }

    /// Random documents written with the kit's escaper come back as they went in.
    func testRandomDocumentsRoundTrip() throws {
        var random = SeededRandom(seed: 0x5EED)
        for _ in 0..<500 {
            let value = Self.randomValue(&random, depth: 0)
            var text: [UInt8] = []
            Self.write(value, to: &text)
            XCTAssertEqual(try JSONParser.parse(text), value, String(decoding: text, as: UTF8.self))
        }
    }

    /// Whatever this parser accepts, Foundation's accepts too and reads the same: mutated
    /// documents, byte by byte, from a fixed seed. (Foundation also accepts some that this one
    /// refuses: trailing commas, repeated names, a byte order mark.)
    func testWhatItAcceptsFoundationAcceptsAlike() throws {
        var random = SeededRandom(seed: 0xF00D)
        var accepted = 0
        for _ in 0..<3_000 {
            var text: [UInt8] = []
            Self.write(Self.randomValue(&random, depth: 0), to: &text)
            for _ in 0..<Int(random.next() % 3) where !text.isEmpty {
                let index = Int(random.next() % UInt64(text.count))
                text[index] = Self.interestingBytes[Int(random.next() % UInt64(Self.interestingBytes.count))]
            }
            // JSON's grammar has numbers of any size; Foundation refuses those a Double cannot hold.
            guard let ours = try? JSONParser.parse(text), !Self.hasNumberBeyondDouble(ours) else { continue }
            accepted += 1
            let theirs = try JSONSerialization.jsonObject(with: Data(text), options: [.fragmentsAllowed])
            XCTAssertTrue(Self.same(ours, theirs), "\(String(decoding: text, as: UTF8.self).debugDescription): \(ours) vs \(theirs)")
        }
        XCTAssertGreaterThan(accepted, 500, "mutations must leave enough documents valid to compare")
    }

    // MARK: - Helpers

    private static let interestingBytes: [UInt8] = Array(#"{}[],:"\ u0aeE.-+1tfn "#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xFF]

    private static func randomValue(_ random: inout SeededRandom, depth: Int) -> ParsedJSON {
        switch random.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2:
            let numbers = ["0", "-0", "7", "-12", "3.25", "1e3", "-2.5E-4", "123456789012", "0.001"]
            return .number(numbers[Int(random.next() % UInt64(numbers.count))])
        case 3, 4:
            let pieces = ["a", "é", "東京", "😀", "\"", "\\", "/", "\n", "\t", "\u{1}", " ", "\u{7F}", "\u{2028}"]
            return .string((0..<Int(random.next() % 6)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined())
        case 5:
            return .array((0..<Int(random.next() % 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var members: [String: ParsedJSON] = [:]
            for index in 0..<Int(random.next() % 4) {
                members["k\(index)\(random.next() % 3 == 0 ? "é" : "")"] = randomValue(&random, depth: depth + 1)
            }
            return .object(members)
        }
    }

    private static func write(_ value: ParsedJSON, to text: inout [UInt8]) {
        switch value {
        case .null: text += Array("null".utf8)
        case .bool(let flag): text += Array((flag ? "true" : "false").utf8)
        case .number(let digits): text += Array(digits.utf8)
        case .string(let string): JSONString.append(string, to: &text)
        case .array(let elements):
            text.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { text += Array(" , ".utf8) }
                write(element, to: &text)
            }
            text.append(UInt8(ascii: "]"))
        case .object(let members):
            text.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { text.append(UInt8(ascii: ",")) }
                JSONString.append(member.key, to: &text)
                text += Array(" :\n".utf8)
                write(member.value, to: &text)
            }
            text.append(UInt8(ascii: "}"))
        }
    }

    private static func hasNumberBeyondDouble(_ value: ParsedJSON) -> Bool {
        switch value {
        case .number(let digits): return !(Double(digits)?.isFinite ?? false)
        case .array(let elements): return elements.contains(where: hasNumberBeyondDouble)
        case .object(let members): return members.values.contains(where: hasNumberBeyondDouble)
        case .null, .bool, .string: return false
        }
    }

    private static func same(_ ours: ParsedJSON, _ theirs: Any) -> Bool {
        switch ours {
        case .null: return theirs is NSNull
        case .bool(let flag): return (theirs as? Bool) == flag
        case .number(let digits):
            guard let number = theirs as? NSNumber, let expected = Double(digits) else { return false }
            return number.doubleValue == expected
        case .string(let string): return (theirs as? String) == string
        case .array(let elements):
            guard let array = theirs as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let object = theirs as? [String: Any], object.count == members.count else { return false }
            return members.allSatisfy { key, value in object[key].map { same(value, $0) } ?? false }
        }
    }
}

/// SplitMix64: the same documents on every run.
private struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
