import RPC
import XCTest

final class RequestIDTests: XCTestCase {
    func testRequestIDIsKeptWhenWellFormedElseGenerated() {
        XCTAssertEqual(RequestID.resolve("abc-123_X.y"), "abc-123_X.y")
        XCTAssertEqual(RequestID.resolve(String(repeating: "a", count: 128)).count, 128)
        for bad in ["", String(repeating: "a", count: 129), "a b", "a\"b", "ü", "a\nb", "x;y"] {
            let resolved = RequestID.resolve(bad)
            XCTAssertNotEqual(resolved, bad)
            XCTAssertEqual(resolved.count, 32)
            XCTAssertTrue(RequestID.isWellFormed(resolved))
        }
        XCTAssertNotEqual(RequestID.generate(), RequestID.generate())
    }

    func testGeneratedRequestIDIsBothWordsAsZeroPaddedLowercaseHex() {
        var generator = FixedWords(words: [0x0123_4567_89AB_CDEF, 0xA])
        XCTAssertEqual(RequestID.generate(using: &generator), "0123456789abcdef000000000000000a")
        var extremes = FixedWords(words: [0, .max])
        XCTAssertEqual(RequestID.generate(using: &extremes), "0000000000000000ffffffffffffffff")
    }
}

/// Hands out the given words in order.
private struct FixedWords: RandomNumberGenerator {
    var words: [UInt64]
    mutating func next() -> UInt64 { words.removeFirst() }
}
