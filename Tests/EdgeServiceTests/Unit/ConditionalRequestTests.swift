import NIOHTTP1
import XCTest

@testable import EdgeService

final class ConditionalRequestTests: XCTestCase {
    let validators = Validators(modified: 1_700_000_000, size: 1024)

    func testETagIsNginxStyle() {
        XCTAssertEqual(validators.etag, "\"6553f100-400\"")
    }

    func testIfNoneMatch() {
        XCTAssertTrue(validators.isNotModified(ifNoneMatch: validators.etag, ifModifiedSince: nil))
        XCTAssertTrue(validators.isNotModified(ifNoneMatch: "\"x\", W/\(validators.etag)", ifModifiedSince: nil))
        XCTAssertTrue(validators.isNotModified(ifNoneMatch: "*", ifModifiedSince: nil))
        XCTAssertFalse(validators.isNotModified(ifNoneMatch: "\"other\"", ifModifiedSince: nil))
        // If-None-Match wins: a matching date does not rescue a non-matching tag.
        XCTAssertFalse(validators.isNotModified(ifNoneMatch: "\"other\"", ifModifiedSince: HTTPDate.format(1_800_000_000)))
    }

    func testIfModifiedSince() {
        XCTAssertTrue(validators.isNotModified(ifNoneMatch: nil, ifModifiedSince: HTTPDate.format(1_700_000_000)))
        XCTAssertTrue(validators.isNotModified(ifNoneMatch: nil, ifModifiedSince: HTTPDate.format(1_700_000_500)))
        XCTAssertFalse(validators.isNotModified(ifNoneMatch: nil, ifModifiedSince: HTTPDate.format(1_699_999_999)))
        XCTAssertFalse(validators.isNotModified(ifNoneMatch: nil, ifModifiedSince: "yesterday"))
    }

    func testIfRange() {
        XCTAssertTrue(validators.rangeApplies(ifRange: nil))
        XCTAssertTrue(validators.rangeApplies(ifRange: validators.etag))
        XCTAssertFalse(validators.rangeApplies(ifRange: "\"old\""))
        XCTAssertFalse(validators.rangeApplies(ifRange: "W/\(validators.etag)"))
        XCTAssertTrue(validators.rangeApplies(ifRange: HTTPDate.format(1_700_000_000)))
        XCTAssertFalse(validators.rangeApplies(ifRange: HTTPDate.format(1_700_000_001)))
    }

    func testHTTPDateRoundTrips() {
        XCTAssertEqual(HTTPDate.format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(0), "Thu, 01 Jan 1970 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT")
        for seconds in [0, 784_111_777, 951_782_400, 1_700_000_000, 4_102_444_799] {
            XCTAssertEqual(HTTPDate.parse(HTTPDate.format(seconds)), seconds)
        }
        XCTAssertNil(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"))
    }

    func testStaticPlanChoosesStatusAndHeaders() {
        let info = StaticFileInfo(size: 100, validators: validators, contentType: "text/css", contentEncoding: nil, hasEncodedVariant: true)
        let whole = StaticResponsePlan(file: info, request: HTTPHeaders(), cacheControl: "max-age=60")
        XCTAssertEqual(whole.status, .ok)
        XCTAssertEqual(whole.range, 0..<100)
        XCTAssertTrue(whole.fields.contains { $0 == ("Vary", "Accept-Encoding") })
        XCTAssertTrue(whole.fields.contains { $0 == ("Cache-Control", "max-age=60") })

        let notModified = StaticResponsePlan(file: info, request: HTTPHeaders([("If-None-Match", validators.etag)]), cacheControl: "")
        XCTAssertEqual(notModified.status, .notModified)
        XCTAssertNil(notModified.range)

        let partial = StaticResponsePlan(file: info, request: HTTPHeaders([("Range", "bytes=10-19")]), cacheControl: "")
        XCTAssertEqual(partial.status, .partialContent)
        XCTAssertEqual(partial.range, 10..<20)
        XCTAssertTrue(partial.fields.contains { $0 == ("Content-Range", "bytes 10-19/100") })

        let stale = StaticResponsePlan(
            file: info, request: HTTPHeaders([("Range", "bytes=10-19"), ("If-Range", "\"old\"")]), cacheControl: "")
        XCTAssertEqual(stale.status, .ok)

        let outside = StaticResponsePlan(file: info, request: HTTPHeaders([("Range", "bytes=500-")]), cacheControl: "")
        XCTAssertEqual(outside.status, .rangeNotSatisfiable)
        XCTAssertTrue(outside.fields.contains { $0 == ("Content-Range", "bytes */100") })
    }

    func testAcceptEncoding() {
        XCTAssertTrue(AcceptEncoding.allowsGzip(HTTPHeaders([("Accept-Encoding", "gzip, deflate, br")])))
        XCTAssertTrue(AcceptEncoding.allowsGzip(HTTPHeaders([("Accept-Encoding", "br;q=1.0, gzip;q=0.8")])))
        XCTAssertFalse(AcceptEncoding.allowsGzip(HTTPHeaders([("Accept-Encoding", "gzip;q=0")])))
        XCTAssertFalse(AcceptEncoding.allowsGzip(HTTPHeaders([("Accept-Encoding", "br")])))
        XCTAssertFalse(AcceptEncoding.allowsGzip(HTTPHeaders()))
    }
}
