import Foundation
import XCTest

@testable import EdgeService

final class StaticFileTests: XCTestCase {
    private var edge: EdgeHarness!

    override func setUp() async throws {
        edge = try await EdgeHarness.start(
            files: [
                "index.html": "<h1>home</h1>\n",
                "a.txt": String(repeating: "0123456789", count: 10),
                "app.css": "body { color: red }\n",
                "sub/page.html": "<p>sub</p>",
                "nested/index.html": "<p>nested index</p>",
                ".env": "SECRET=1",
                "%2e%2e/secret": "literal",
            ],
            configure: { $0.staticCacheControl = "public, max-age=60" })
        // A precompressed sibling, and links pointing out of and within the folder.
        let root = edge.root.path
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -k -n '\(root)/app.css'"]
        try gzip.run()
        gzip.waitUntilExit()
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("edge-outside-\(UUID().uuidString).txt")
        try Data("outside secret".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/out.txt", withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: root + "/outdir", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(atPath: root + "/in.txt", withDestinationPath: root + "/a.txt")
    }

    override func tearDown() async throws {
        await edge.stop()
    }

    func testIndexAndContentTypeAndValidators() async throws {
        let index = try await edge.get("/")
        XCTAssertEqual(index.status, 200)
        XCTAssertEqual(index.text, "<h1>home</h1>\n")
        XCTAssertEqual(index.header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertEqual(index.header("Cache-Control"), "public, max-age=60")
        XCTAssertNotNil(index.header("ETag"))
        XCTAssertNotNil(index.header("Last-Modified"))
        XCTAssertNotNil(index.header("Date").flatMap(HTTPDate.parse))
        let answer1 = try await edge.get("/static/sub/page.html")
        XCTAssertEqual(answer1.text, "<p>sub</p>")
        let answer2 = try await edge.get("/static/app.css")
        XCTAssertEqual(answer2.header("Content-Type"), "text/css; charset=utf-8")
        let answer3 = try await edge.get("/static/nested/")
        XCTAssertEqual(answer3.text, "<p>nested index</p>")
        let answer4 = try await edge.get("/static/in.txt")
        XCTAssertEqual(answer4.status, 200, "a link within the folder is fine")
    }

    func testEveryTraversalVariantIsRefused() async throws {
        let refused = [
            "/static/../Package.swift", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
            "/static/sub/../../x", "/static/..%2f..%2fetc%2fpasswd", "/static/..%5c..%5cetc", "/static/sub%5c..%5ca.txt",
            "/static/a.txt%00.html", "/static/%zz",
        ]
        for target in refused {
            let response = try await edge.get(target)
            XCTAssertEqual(response.status, 400, target)
            XCTAssertEqual(response.header("Content-Type"), "application/json", target)
        }
        let client = try await edge.connect()
        defer { client.close() }
        try await client.send("GET /static/..\\..\\etc\\passwd HTTP/1.1\r\nHost: x\r\n\r\n")
        let backslash = try await client.response()
        XCTAssertTrue([400].contains(backslash.status), "raw backslashes: \(backslash.status)")

        let answer5 = try await edge.get("/static/%252e%252e/secret")
        XCTAssertEqual(answer5.text, "literal", "double encoding is a literal name, not a way up")
        let answer6 = try await edge.get("/static/out.txt")
        XCTAssertEqual(answer6.status, 403, "a link resolving outside is refused")
        let answer7 = try await edge.get("/static/outdir/passwd")
        XCTAssertEqual(answer7.status, 403)
        let answer8 = try await edge.get("/static/.env")
        XCTAssertEqual(answer8.status, 404, "dotfiles are never served")
        let answer9 = try await edge.get("/static/missing.txt")
        XCTAssertEqual(answer9.status, 404)
        let answer10 = try await edge.get("/static/sub/")
        XCTAssertEqual(answer10.status, 403, "no listing by default")
        let answer11 = try await edge.get("/static/a.txt", method: "POST")
        XCTAssertEqual(answer11.status, 405)
    }

    func testConditionalRequestsAnswer304() async throws {
        let first = try await edge.get("/static/a.txt")
        let etag = try XCTUnwrap(first.header("ETag"))
        let lastModified = try XCTUnwrap(first.header("Last-Modified"))
        let byTag = try await edge.get("/static/a.txt", headers: ["If-None-Match": etag])
        XCTAssertEqual(byTag.status, 304)
        XCTAssertEqual(byTag.header("ETag"), etag)
        XCTAssertTrue(byTag.body.isEmpty)
        let answer12 = try await edge.get("/static/a.txt", headers: ["If-Modified-Since": lastModified])
        XCTAssertEqual(answer12.status, 304)
        let answer13 = try await edge.get("/static/a.txt", headers: ["If-None-Match": "\"other\""])
        XCTAssertEqual(answer13.status, 200)
        let answer14 = try await edge.get("/static/a.txt", headers: ["If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"])
        XCTAssertEqual(answer14.status, 200)
    }

    func testRangesHeadAndGzip() async throws {
        let partial = try await edge.get("/static/a.txt", headers: ["Range": "bytes=10-14"])
        XCTAssertEqual(partial.status, 206)
        XCTAssertEqual(partial.text, "01234")
        XCTAssertEqual(partial.header("Content-Range"), "bytes 10-14/100")
        let suffix = try await edge.get("/static/a.txt", headers: ["Range": "bytes=-3"])
        XCTAssertEqual(suffix.text, "789")
        let outside = try await edge.get("/static/a.txt", headers: ["Range": "bytes=100-"])
        XCTAssertEqual(outside.status, 416)
        XCTAssertEqual(outside.header("Content-Range"), "bytes */100")

        let head = try await edge.get("/static/a.txt", method: "HEAD")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Content-Length"), "100")
        XCTAssertTrue(head.body.isEmpty)

        let gzipped = try await edge.get("/static/app.css", headers: ["Accept-Encoding": "gzip, br"])
        XCTAssertEqual(gzipped.header("Content-Encoding"), "gzip")
        XCTAssertEqual(gzipped.header("Vary"), "Accept-Encoding")
        XCTAssertEqual(gzipped.header("Content-Type"), "text/css; charset=utf-8")
        XCTAssertEqual(Array(gzipped.body.prefix(2)), [0x1F, 0x8B])
        let plain = try await edge.get("/static/app.css")
        XCTAssertNil(plain.header("Content-Encoding"))
        XCTAssertEqual(plain.header("Vary"), "Accept-Encoding")
        XCTAssertEqual(plain.text, "body { color: red }\n")
    }

    func testListingWhenEnabledAndDirectoryRedirect() async throws {
        let listing = try await EdgeHarness.start(files: ["d/x.txt": "x", "d/.hidden": "h", "d/e/y.txt": "y"]) { $0.staticListing = true }
        let page = try await listing.get("/static/d/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.text.contains("x.txt") && page.text.contains("e/"), page.text)
        XCTAssertFalse(page.text.contains(".hidden"))
        let redirect = try await listing.get("/static/d?x=1")
        XCTAssertEqual(redirect.status, 301)
        XCTAssertEqual(redirect.header("Location"), "/static/d/?x=1")
        await listing.stop()
    }
}
