import NIOHTTP1
import XCTest

@testable import EdgeService

final class StaticPathTests: XCTestCase {
    private func parse(_ path: String) -> Result<StaticPath, StaticPath.Rejection> {
        StaticPath.parse(path[...])
    }

    func testRootIsIndexAndStaticPathsMapBelowTheFolder() throws {
        XCTAssertEqual(try parse("/").get(), StaticPath(segments: ["index.html"], isDirectory: false))
        XCTAssertEqual(try parse("/static/css/app.css").get().segments, ["css", "app.css"])
        XCTAssertEqual(try parse("/static/a%20b.txt").get().segments, ["a b.txt"])
        XCTAssertEqual(try parse("/static//./x").get().segments, ["x"])
        XCTAssertTrue(try parse("/static/sub/").get().isDirectory)
        XCTAssertTrue(try parse("/static/").get().isDirectory)
    }

    /// The path is kept as one string: the same for every spelling of it, so one cache entry
    /// serves them all.
    func testEverySpellingOfAPathIsTheSameRelativePath() throws {
        for spelling in ["/static/css/app.css", "/static//css/./app.css", "/static/./css//app.css", "/static/css/%61pp.css"] {
            XCTAssertEqual(try parse(spelling).get(), StaticPath(relativePath: "css/app.css", isDirectory: false), spelling)
        }
        XCTAssertEqual(try parse("/static/css/").get(), StaticPath(relativePath: "css", isDirectory: true))
        XCTAssertEqual(try parse("/static/css//").get(), StaticPath(relativePath: "css", isDirectory: true))
        XCTAssertEqual(try parse("/static//").get(), StaticPath(relativePath: "", isDirectory: true))
        XCTAssertEqual(try parse("/static/./").get(), StaticPath(relativePath: "", isDirectory: true))
        XCTAssertEqual(try parse("/static/a/b.txt").get().lastSegment, "b.txt")
    }

    func testEveryTraversalVariantIsRefused() {
        let traversals = [
            "/static/..", "/static/../secret", "/static/sub/../../secret", "/static/%2e%2e/secret", "/static/%2E%2E/secret",
            "/static/.%2e/secret", "/static/%2e%2e%2fsecret", "/static/..%2fsecret", "/static/sub%2f..%2f..%2fsecret",
        ]
        for path in traversals {
            XCTAssertEqual(parse(path), .failure(.traversal), path)
        }
    }

    func testMalformedPathsAreRefused() {
        let malformed = [
            "/static/..\\secret", "/static/%5c..%5csecret", "/static/a%5Cb", "/static/a%00.txt", "/static/%0a", "/static/%zz",
            "/static/%2", "/static/%ff%fe",
        ]
        for path in malformed {
            XCTAssertEqual(parse(path), .failure(.malformed), path)
        }
    }

    /// Bytes that are not UTF-8 are refused, not repaired into another name — also where a
    /// repair would keep the length (three bytes of a four-byte sequence become one U+FFFD).
    func testInvalidUTF8IsRefusedWhereverItIs() throws {
        let invalid = ["/static/%F0%9F%98A", "/static/%C0%AF", "/static/%ED%A0%80", "/static/%80", "/static//%ff", "/static/a/./%F0%9F%98"]
        for path in invalid {
            XCTAssertEqual(parse(path), .failure(.malformed), path)
        }
        XCTAssertEqual(try parse("/static/%E2%9C%93.txt").get().relativePath, "✓.txt")
        XCTAssertEqual(try parse("/static/a//%F0%9F%98%80").get().relativePath, "a/😀")
    }

    func testDoubleEncodingIsALiteralNameAndDotfilesAreHidden() throws {
        XCTAssertEqual(try parse("/static/%252e%252e/secret").get().segments, ["%2e%2e", "secret"])
        XCTAssertEqual(parse("/static/.env"), .failure(.hidden))
        XCTAssertEqual(parse("/static/.git/config"), .failure(.hidden))
        XCTAssertEqual(parse("/staticx/a"), .failure(.notStatic))
        XCTAssertEqual(parse("/api/x"), .failure(.notStatic))
    }

    func testPathsWithoutPercentEncodingParseLikeTheirEncodedForms() {
        let pairs = [
            ("/static/css/app.css", "/static/css%2Fapp.css"), ("/static/sub/", "/static/sub%2F"), ("/static//./x", "/static/%2F.%2Fx"),
            ("/static/../secret", "/static/%2E%2E/secret"), ("/static/.env", "/static/%2Eenv"), ("/static/a\\b", "/static/a%5Cb"),
            ("/static/a\u{1}b", "/static/a%01b"), ("/static/", "/static/%2F"),
        ]
        for (plain, encoded) in pairs {
            XCTAssertEqual(parse(plain), parse(encoded), plain)
        }
    }

    func testPrefixesAreMatchedByteByByte() {
        // A combining mark joins the `/` before it into one Character; the route must not change.
        XCTAssertEqual(EdgeRoute(method: .GET, target: "/api/\u{301}x"), .upstream(0))
        XCTAssertEqual(try parse("/static/\u{301}x").get().segments, ["\u{301}x"])
    }

    func testRoutesByMethodAndPrefix() {
        XCTAssertEqual(EdgeRoute(method: .GET, target: "/api/users?x=1"), .upstream(0))
        XCTAssertEqual(EdgeRoute(method: .POST, target: "/api"), .upstream(0))
        XCTAssertEqual(
            EdgeRoute(method: .GET, target: "/static/a.css?v=2"), .staticFile(StaticPath(segments: ["a.css"], isDirectory: false)))
        XCTAssertEqual(EdgeRoute(method: .POST, target: "/static/a.css"), .methodNotAllowed)
        XCTAssertEqual(EdgeRoute(method: .GET, target: "/static/../x"), .badPath)
        XCTAssertEqual(EdgeRoute(method: .GET, target: "/favicon.ico"), .notFound)
    }
}
