import AppServer
import NIOCore
import XCTest

final class OpenAPIDocumentCacheTests: XCTestCase {
    func testRendersEachOriginOnceAndStaysBounded() {
        let cache = OpenAPIDocumentCache(capacity: 2)
        var renders = 0
        func fetch(_ url: String) -> String {
            String(
                buffer: cache.document(for: url) {
                    renders += 1
                    return ByteBuffer(string: "doc for \(url)")
                })
        }
        XCTAssertEqual(fetch("http://a"), "doc for http://a")
        XCTAssertEqual(fetch("http://a"), "doc for http://a")
        XCTAssertEqual(renders, 1, "the second request is served from the cache")
        XCTAssertEqual(fetch("http://b"), "doc for http://b")
        XCTAssertEqual(renders, 2, "another origin gets its own document")
        XCTAssertEqual(fetch("http://c"), "doc for http://c")
        XCTAssertEqual(fetch("http://a"), "doc for http://a")
        XCTAssertEqual(renders, 4, "a full cache starts over instead of growing")
    }
}
