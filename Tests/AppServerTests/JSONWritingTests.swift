import AppServer
import Foundation
import Hummingbird
import NIOCore
import RPC
import XCTest

/// The hand-written JSON and encodings produce exactly what Foundation's would.
final class JSONWritingTests: XCTestCase {
    private func foundationJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Written with exactly the room its bound gives, so a bound that is too small traps.
    private func writtenString(_ text: String?) -> String {
        var output = JSONOutput(capacity: 0)
        output.write(atMost: ByteWriter.maximumJSONLength(text)) { $0.jsonString(text) }
        return String(buffer: output.buffer)
    }

    private var awkwardTexts: [String] {
        var texts = [
            "plain", "", "quote \" backslash \\ slash / done", "tab\tnewline\ncr\rbell\u{07}",
            "ünïcødé ✓ 😀 👩‍👩‍👧 \u{2028}\u{2029}", "nul \u{0}", "\u{1F}\u{08}\u{0C}\u{7F}", "~\u{7E}\u{7F}\u{80}\u{9F}\u{A0} \u{1F}",
            "</script>", String(repeating: "\"\\", count: 140),
        ]
        texts.append(String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }))
        return texts
    }

    func testJSONStringsMatchFoundationEncoding() throws {
        let scalars = (0..<0x250).compactMap { Unicode.Scalar(UInt32($0)) }.map { String(Character($0)) }
        for text in awkwardTexts + scalars + ["\u{10FFFF}", "a\u{0}b\u{7F}c\u{1}"] {
            XCTAssertEqual(writtenString(text), try foundationJSON(text), text.unicodeScalars.map { "\($0.value)" }.joined(separator: " "))
        }
        XCTAssertEqual(writtenString(nil), try foundationJSON(String?.none))
    }

    func testIntegersAreWrittenAsTheirDecimalDigits() {
        for value: Int64 in [
            0, 1, 9, 10, -1, -9, -10, 99_999, 100_000, 1_000_000_007, .max, .min, .max - 1, .min + 1, 999_999_999_999_999_999,
        ] {
            var output = JSONOutput(capacity: 0)
            output.write(atMost: ByteWriter.maximumDecimalLength) { $0.decimal(value) }
            XCTAssertEqual(String(buffer: output.buffer), String(value))
        }
    }

    func testFormEncodingEscapesOnlyWhatItMust() {
        XCTAssertEqual(FormURLEncoding.encode("ana.b-c_d~9"), "ana.b-c_d~9")
        XCTAssertEqual(FormURLEncoding.encode("a b/ü?%"), "a%20b%2F%C3%BC%3F%25")
        XCTAssertEqual(FormURLEncoding.encode(""), "")
        XCTAssertEqual(FormURLEncoding.decode("a+b%2B"), "a b+")
        XCTAssertEqual(FormURLEncoding.decode("a+b", plusIsSpace: false), "a+b")
        XCTAssertNil(FormURLEncoding.decode("%C3%28"))
        XCTAssertEqual(FormURLEncoding.parse("a=1&b&&c=%20")?.map { "\($0.name)=\($0.value)" }, ["a=1", "b=", "c= "])
    }

    func testPagesMatchFoundationEncodingAndLinkTheirNeighbours() throws {
        let empty = PaginatedBody<[String]>(result: [], next: nil, previous: nil)
        XCTAssertEqual(String(buffer: JSONResponse.encode(empty as PaginatedBody<[String]>)), try foundationJSON(empty))
        let origin = try XCTUnwrap(RequestOrigin(scheme: "https", host: "example.com", port: 8443))
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "https", authority: "example.com", path: "/things?size=3&page=2&x=a%20b"),
            body: RequestBody(buffer: ByteBuffer()))
        let page = PaginatedBody(result: ["a"], hasNext: true, page: 2, request: request, origin: origin)
        XCTAssertEqual(page.next, "https://example.com:8443/things?size=3&page=3&x=a%20b")
        XCTAssertEqual(page.previous, "https://example.com:8443/things?size=3&page=1&x=a%20b")
        let first = PaginatedBody(result: ["a"], hasNext: false, page: 1, request: request, origin: origin)
        XCTAssertNil(first.next)
        XCTAssertNil(first.previous)
    }

    func testOriginsLeaveDefaultPortsOutAndRefuseHostsThatBreakURLs() {
        XCTAssertEqual(RequestOrigin(scheme: "HTTP", host: "::1", port: 80)?.baseURL, "http://[::1]")
        XCTAssertEqual(
            RequestOrigin(scheme: "https", host: "a.example", port: 8443)?.url("/x", query: "q=1"), "https://a.example:8443/x?q=1")
        XCTAssertEqual(RequestOrigin(scheme: "http", hostHeader: "a.example:8080")?.port, 8080)
        XCTAssertNil(RequestOrigin(scheme: "https", host: "evil.com/x@", port: 443))
        XCTAssertNil(RequestOrigin(scheme: "ftp", host: "a.example", port: 21))
        XCTAssertNil(RequestOrigin(scheme: "http", host: "a.example", port: 0))
    }

    func testBase64URLMatchesFoundationAndRefusesOtherSpellings() {
        var random = SplitMix64(seed: 11)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let encoded = Base64URL.encode(bytes)
            XCTAssertEqual(encoded, expected)
            XCTAssertEqual(Base64URL.decode(Substring(encoded)), bytes)
        }
        XCTAssertEqual(Base64URL.decode("Zm9vYmFy"), Array("foobar".utf8))
        XCTAssertNil(Base64URL.decode("Zm9vYmE="), "padding")
        XCTAssertNil(Base64URL.decode("Zm9vYm"), "a length no encoder makes")
        XCTAssertNil(Base64URL.decode("Zh"), "non-zero leftover bits: a second spelling of \"f\"")
        XCTAssertNil(Base64URL.decode("Zm9v YmFy"))
        XCTAssertNil(Base64URL.decode("Zm9v\u{0}mFy"))
    }
}
