import AppServerProtocol
import XCTest

final class HTTPRulesTests: XCTestCase {
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

    func testIdempotentHTTPMethodsMayBeForwardedAgain() {
        func request(_ method: String) -> HTTPEnvelopeRequest {
            HTTPEnvelopeRequest(method: method, target: "/", headers: [], body: [], clientAddress: "", scheme: "http", host: "a", port: 80)
        }
        for method in ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"] { XCTAssertTrue(request(method).isIdempotent, method) }
        for method in ["POST", "PATCH", "get", "CONNECT"] { XCTAssertFalse(request(method).isIdempotent, method) }
    }
}
