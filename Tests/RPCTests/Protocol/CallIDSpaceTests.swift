import XCTest

@testable import RPC

final class CallIDSpaceTests: XCTestCase {
    func testDefaultRetiresAtHalfTheIDSpaceAndNeverWraps() {
        let space = CallIDSpace()
        XCTAssertEqual(space.verdict(forCallNumber: 1), .use(1))
        XCTAssertEqual(space.verdict(forCallNumber: 1 << 31), .useAndRetire(1 << 31))
        XCTAssertEqual(space.verdict(forCallNumber: UInt64(UInt32.max)), .use(UInt32.max))
        XCTAssertEqual(
            space.verdict(forCallNumber: UInt64(UInt32.max) + 1), .exhausted, "id 0 after wrapping would be refused by the server")
        XCTAssertEqual(space.verdict(forCallNumber: UInt64.max), .exhausted)
        XCTAssertEqual(space.verdict(forCallNumber: 0), .exhausted)
    }

    func testSmallInjectedLimit() {
        let space = CallIDSpace(retireAfter: 3, lastUsable: 5)
        XCTAssertEqual(
            (1...7).map { space.verdict(forCallNumber: $0) },
            [.use(1), .use(2), .useAndRetire(3), .use(4), .use(5), .exhausted, .exhausted])
    }

    func testLimitsAreKeptInsideThe32BitIDSpace() {
        let space = CallIDSpace(retireAfter: UInt64.max, lastUsable: UInt64.max)
        XCTAssertEqual(space.lastUsable, UInt64(UInt32.max))
        XCTAssertEqual(space.retireAfter, UInt64(UInt32.max))
        XCTAssertEqual(CallIDSpace(retireAfter: 0, lastUsable: 0).verdict(forCallNumber: 1), .useAndRetire(1))
    }
}
