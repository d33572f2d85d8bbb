import AppServerProtocol
import XCTest

final class IfNoneMatchTests: XCTestCase {
    func testWeakComparisonListsAndStar() {
        XCTAssertTrue(IfNoneMatch.matches(#""a""#, entityTag: #""a""#))
        XCTAssertTrue(IfNoneMatch.matches(#"W/"a""#, entityTag: #""a""#))
        XCTAssertTrue(IfNoneMatch.matches(#""a""#, entityTag: #"W/"a""#))
        XCTAssertTrue(IfNoneMatch.matches("\"x\" ,\t\"a\"", entityTag: #""a""#))
        XCTAssertTrue(IfNoneMatch.matches("*", entityTag: #""a""#))
        XCTAssertFalse(IfNoneMatch.matches(#""b", W/"c""#, entityTag: #""a""#))
        XCTAssertFalse(IfNoneMatch.matches("a", entityTag: #""a""#))
        XCTAssertFalse(IfNoneMatch.matches("", entityTag: #""a""#))
    }
}
