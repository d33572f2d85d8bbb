import Foundation
import JSONText
import XCTest

final class JSONStringTests: XCTestCase {
    /// Byte for byte what `JSONEncoder` writes (slashes unescaped), for every ASCII character
    /// alone and inside text, and for non-ASCII text.
    func testMatchesJSONEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var samples = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "plain", "a\"b\\c/d", "line\nbreak\ttab\r", "\u{0}\u{1F}\u{7F}", "née 東京 🙂", "\u{2028}\u{2029}"]
        for sample in samples {
            var ours: [UInt8] = []
            JSONString.append(sample, to: &ours)
            XCTAssertEqual(
                String(decoding: ours, as: UTF8.self), String(decoding: try encoder.encode(sample), as: UTF8.self), sample.debugDescription)
        }
    }

    func testRunsAreEmittedWholeAndWorstCaseHolds() {
        var runs: [[UInt8]] = []
        Array("ab\ncd".utf8).withUnsafeBufferPointer { JSONString.escape($0) { runs.append(Array($0)) } }
        XCTAssertEqual(runs, [Array("ab".utf8), Array(#"\n"#.utf8), Array("cd".utf8)])
        let controls = [UInt8](repeating: 1, count: 10)
        var count = 0
        controls.withUnsafeBufferPointer { JSONString.escape($0) { count += $0.count } }
        XCTAssertEqual(count, JSONString.maximumEscapedBytesPerByte * controls.count)
    }
}
