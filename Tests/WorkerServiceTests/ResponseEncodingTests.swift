import Foundation
import MicropostsModels
import NIOCore
import RPC
import XCTest
@testable import WorkerService

/// The hand-written fast paths produce exactly what the Foundation code they replaced did:
/// JSON bodies, timestamps, base64url.
final class ResponseEncodingTests: XCTestCase {
    private let links = LinkBuilder(origin: RequestOrigin(scheme: "https", host: "example.com", port: 8443)!)

    /// What `JSONResponse` produced before bodies wrote themselves.
    private func foundationJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func written(_ value: some JSONWritable) -> String {
        String(buffer: JSONResponse.encode(value))
    }

    private var awkwardTexts: [String] {
        var texts = ["plain", "", "quote \" backslash \\ slash / done", "tab\tnewline\ncr\rbell\u{07}",
                     "ünïcødé ✓ 😀 \u{2028}\u{2029}", "nul \u{0}", "\u{1F}\u{08}\u{0C}\u{7F}"]
        texts.append(String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }))
        return texts
    }

    func testMicropostBodyMatchesFoundationEncoding() throws {
        for (index, text) in awkwardTexts.enumerated() {
            let post = Micropost(
                id: Int64(index) * 1_000_000_007, author: "ana.b-c_d", text: text, referenced: index.isMultiple(of: 2) ? nil : "bob",
                createdAt: Date(timeIntervalSince1970: 1_790_000_000.123), updatedAt: Date())
            let body = MicropostBody(post, links: links)
            XCTAssertEqual(written(body), try foundationJSON(body), "text #\(index)")
        }
    }

    func testIntegersAreWrittenAsTheirDecimalDigits() {
        for value: Int64 in [0, 1, 9, 10, -1, -10, 99_999, 1_000_000_007, .max, .min, .max - 1, .min + 1] {
            var output = JSONOutput()
            output.integer(value)
            XCTAssertEqual(String(buffer: output.buffer), String(value))
        }
    }

    func testLinksEscapeUsernamesOnlyWhereTheyMust() {
        XCTAssertEqual(FormURLEncoding.encode("ana.b-c_d~9"), "ana.b-c_d~9")
        XCTAssertEqual(FormURLEncoding.encode("a b/ü?%"), "a%20b%2F%C3%BC%3F%25")
        XCTAssertEqual(FormURLEncoding.encode(""), "")
        XCTAssertEqual(links.micropost("a b", id: 5), "https://example.com:8443/api/users/a%20b/collection/5")
        let ipv6 = LinkBuilder(origin: RequestOrigin(scheme: "HTTP", host: "::1", port: 80)!)
        XCTAssertEqual(ipv6.collection("ana"), "http://[::1]/api/users/ana/collection")
    }

    func testUserBodyAndPagesMatchFoundationEncoding() throws {
        let user = UserBody(username: "ana", links: links)
        XCTAssertEqual(written(user), try foundationJSON(user))

        let empty = PaginatedBody<UserBody>(result: [], next: nil, previous: nil)
        XCTAssertEqual(written(empty), try foundationJSON(empty))
        let page = PaginatedBody(
            result: [user, UserBody(username: "b\"o\\b", links: links)],
            next: "https://example.com:8443/api/users/ana/following?page=3",
            previous: "https://example.com:8443/api/users/ana/following?page=1")
        XCTAssertEqual(written(page), try foundationJSON(page))
    }

    func testTimestampMatchesFoundationFormatStyle() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        var random = SplitMix64(seed: 7)
        var dates = [0, -1, 0.0009, 951_782_400, 4_107_542_399.999, -62_135_596_800, 253_402_300_799.999].map(Date.init(timeIntervalSince1970:))
        for _ in 0..<2_000 {
            // Microsecond resolution between 1900 and 2200, as PostgreSQL's timestamptz has.
            let microseconds = Int64(bitPattern: random.next() % 9_467_280_000_000_000) - 2_208_988_800_000_000
            dates.append(Date(timeIntervalSince1970: Double(microseconds) / 1_000_000))
        }
        for date in dates {
            XCTAssertEqual(Timestamp.iso8601(date), date.formatted(style), "\(date.timeIntervalSince1970)")
        }
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
