import XCTest

@testable import EdgeService

final class ByteRangeTests: XCTestCase {
    func testSingleRanges() {
        XCTAssertEqual(ByteRange.evaluate("bytes=0-9", size: 100), .partial(first: 0, last: 9))
        XCTAssertEqual(ByteRange.evaluate("bytes=90-", size: 100), .partial(first: 90, last: 99))
        XCTAssertEqual(ByteRange.evaluate("bytes=-10", size: 100), .partial(first: 90, last: 99))
        XCTAssertEqual(ByteRange.evaluate("bytes=-500", size: 100), .partial(first: 0, last: 99))
        XCTAssertEqual(ByteRange.evaluate("bytes=50-500", size: 100), .partial(first: 50, last: 99))
        XCTAssertEqual(ByteRange.evaluate(" Bytes=1-1 ", size: 100), .partial(first: 1, last: 1))
    }

    func testUnsatisfiableRanges() {
        XCTAssertEqual(ByteRange.evaluate("bytes=100-", size: 100), .unsatisfiable)
        XCTAssertEqual(ByteRange.evaluate("bytes=100-200", size: 100), .unsatisfiable)
        XCTAssertEqual(ByteRange.evaluate("bytes=-0", size: 100), .unsatisfiable)
        XCTAssertEqual(ByteRange.evaluate("bytes=0-", size: 0), .unsatisfiable)
        XCTAssertEqual(ByteRange.evaluate("bytes=99999999999999999999-", size: 100), .unsatisfiable)
    }

    func testIgnoredRangesServeTheWholeFile() {
        for header in [nil, "items=0-1", "bytes=0-1,5-6", "bytes=5-1", "bytes=a-b", "bytes=", "bytes=-", "bytes=1"] {
            XCTAssertEqual(ByteRange.evaluate(header, size: 100), .whole, header ?? "nil")
        }
    }
}
