import AppServer
import Foundation
import MicropostsInMemoryData
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

    /// Every field at its awkward values, in turn: authors needing percent-encoding, ids of
    /// every sign and size, timestamps with fractions of milliseconds, before 1600 and after
    /// 9999 (Foundation's format), referenced absent and present.
    private var awkwardPosts: [Micropost] {
        let authors = ["ana.b-c_d", "a b/ü?%+", "ünï", "\u{1}\u{7F}\"", "x"]
        let ids: [Int64] = [1, 0, -1, 1_000_000_007, .max, .min, 42]
        let seconds: [Double] = [
            1_790_000_000.123, 1_790_000_000.1239, 1_790_000_000.9999, -0.5, 0, 951_782_400.000_5,
            -13_239_631_754.322, -62_135_596_800, 253_402_300_800, 1e13, -1e13,
        ]
        let referenced: [String?] = [nil, "bob", "", "q\"u\\o\nte", nil]
        let texts = awkwardTexts
        return (0..<texts.count * 2).map { index in
            Micropost(
                id: ids[index % ids.count], author: authors[index % authors.count], text: texts[index % texts.count],
                referenced: referenced[index % referenced.count],
                createdAt: Date(timeIntervalSince1970: seconds[index % seconds.count]), updatedAt: Date())
        }
    }

    func testMicropostBodyMatchesFoundationEncoding() throws {
        for (index, post) in awkwardPosts.enumerated() {
            let body = MicropostBody(post: post, links: links)
            let expected = try foundationJSON(ReferenceMicropost(post, baseURL: links.origin.baseURL))
            XCTAssertEqual(written(body), expected, "post #\(index)")
            XCTAssertEqual(try foundationJSON(body), expected, "post #\(index), Encodable")
        }
    }

    /// Each post's reservation holds it, and is exact when every string byte needs escaping.
    func testMicropostLengthsBoundWhatIsWritten() {
        for post in awkwardPosts {
            let timestamp = Timestamp(post.createdAt)
            let lengths = MicropostBody.lengths(of: post, links: links, timestampLength: timestamp.utf8Count)
            XCTAssertLessThanOrEqual(JSONResponse.encode(MicropostBody(post: post, links: links)).readableBytes, lengths.maximum)
        }
        let date = Date(timeIntervalSince1970: 1_790_000_000.123)
        let worst = Micropost(
            id: .min, author: "\u{1}\u{2}", text: String(repeating: "\u{1F}", count: 50), referenced: "\u{0}", createdAt: date,
            updatedAt: date)
        XCTAssertEqual(
            JSONResponse.encode(MicropostBody(post: worst, links: links)).readableBytes,
            MicropostBody.lengths(of: worst, links: links, timestampLength: Timestamp.civilLength).maximum)
        let plain = Micropost(id: .min, author: "ana", text: "no escapes", referenced: "bob", createdAt: date, updatedAt: date)
        XCTAssertEqual(
            JSONResponse.encode(MicropostBody(post: plain, links: links)).readableBytes,
            MicropostBody.lengths(of: plain, links: links, timestampLength: Timestamp.civilLength).unescaped)
    }

    func testMicropostPagesMatchFoundationEncoding() throws {
        let next = "https://example.com:8443/api/users/ana/collection?size=3&x=a%20b&page=3"
        let previous = "https://example.com:8443/api/users/ana/collection?size=3&x=a%20b&page=1"
        let posts = awkwardPosts
        for (result, next, previous) in [(posts, next, previous), ([], nil, previous), (Array(posts.prefix(1)), next, nil), ([], nil, nil)]
        {
            let page = PaginatedBody(result: MicropostList(posts: result, links: links), next: next, previous: previous)
            let expected = try foundationJSON(
                ReferencePage(next: next, previous: previous, result: result.map { ReferenceMicropost($0, baseURL: links.origin.baseURL) }))
            XCTAssertEqual(written(page), expected, "\(result.count) posts")
            XCTAssertEqual(try foundationJSON(page), expected, "\(result.count) posts, Encodable")
        }
    }

    /// A page's first allocation holds it, even when its last post reserves far more than it
    /// usually takes.
    func testMicropostPageIsWrittenInOneAllocation() {
        let date = Date(timeIntervalSince1970: 1_790_000_000.123)
        var posts = (1...20).map { Micropost(id: $0, author: "ana", text: "post \($0)", referenced: nil, createdAt: date, updatedAt: date) }
        posts.append(
            Micropost(
                id: 21, author: "ana", text: String(repeating: "\u{1}", count: 1_000), referenced: nil, createdAt: date, updatedAt: date))
        let page = PaginatedBody(result: MicropostList(posts: posts, links: links), next: nil, previous: nil)
        XCTAssertEqual(JSONResponse.encode(page).capacity, ByteBufferAllocator().buffer(capacity: page.jsonCapacity).capacity)
    }

    /// The collection route end to end: posts as the data service returns them, the page's
    /// links from the request, the body through the envelope.
    func testCollectionPageAndSinglePostThroughTheRouter() async throws {
        let harness = try await WorkerHarness()
        defer { harness.shutdown() }
        let token = try await harness.user("ana")
        let posts = awkwardPosts.enumerated().map { index, post in
            var post = post
            post.author = "ana"
            post.id = Int64(index + 1) * 1_000_003
            return post
        }
        for post in posts { harness.fake.data.store(post) }
        let base = "https://api.example.com"
        let newestFirst = posts.sorted { $0.id > $1.id }

        let page = await harness.send("GET", "/api/users/ana/collection?size=3&page=2&x=a%20b", token: token)
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertEqual(
            page.text,
            try foundationJSON(
                ReferencePage(
                    next: "\(base)/api/users/ana/collection?size=3&page=3&x=a%20b",
                    previous: "\(base)/api/users/ana/collection?size=3&page=1&x=a%20b",
                    result: newestFirst[3..<6].map { ReferenceMicropost($0, baseURL: base) })))

        for post in [posts[0], posts[8], posts[9]] {
            let single = await harness.send("GET", "/api/users/ana/collection/\(post.id)", token: token)
            XCTAssertEqual(single.status, 200, single.text)
            XCTAssertEqual(single.text, try foundationJSON(ReferenceMicropost(post, baseURL: base)))
        }
    }

    func testLinksEscapeUsernamesOnlyWhereTheyMust() {
        XCTAssertEqual(FormURLEncoding.encode("ana.b-c_d~9"), "ana.b-c_d~9")
        XCTAssertEqual(FormURLEncoding.encode("a b/ü?%"), "a%20b%2F%C3%BC%3F%25")
        XCTAssertEqual(FormURLEncoding.encode(""), "")
        XCTAssertEqual(links.micropost("a b", id: 5), "https://example.com:8443/api/users/a%20b/collection/5")
        XCTAssertEqual(links.micropost("ana", id: -12), "https://example.com:8443/api/users/ana/collection/-12")
        let ipv6 = LinkBuilder(origin: RequestOrigin(scheme: "HTTP", host: "::1", port: 80)!)
        XCTAssertEqual(ipv6.collection("ana"), "http://[::1]/api/users/ana/collection")
        XCTAssertEqual(ipv6.micropost("%", id: 0), "http://[::1]/api/users/%25/collection/0")
    }

    func testUserBodyAndPagesMatchFoundationEncoding() throws {
        let user = UserBody(username: "ana", links: links)
        XCTAssertEqual(written(user), try foundationJSON(user))

        let empty = PaginatedBody<[UserBody]>(result: [], next: nil, previous: nil)
        XCTAssertEqual(written(empty), try foundationJSON(empty))
        let page = PaginatedBody(
            result: [user, UserBody(username: "b\"o\\b\u{1}", links: links)],
            next: "https://example.com:8443/api/users/ana/following?page=3",
            previous: "https://example.com:8443/api/users/ana/following?page=1")
        XCTAssertEqual(written(page), try foundationJSON(page))
    }

    func testTimestampMatchesFoundationFormatStyle() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        var random = SplitMix64(seed: 7)
        var dates = [
            0, -1, 0.0009, 951_782_400, 4_107_542_399.999, -62_135_596_800, 253_402_300_799.999, -11_676_096_000, -11_676_096_000.001,
            -13_239_631_754.322,
            253_402_300_800, 1e13, -1e13,
        ].map(Date.init(timeIntervalSince1970:))
        for _ in 0..<2_000 {
            // Microsecond resolution between 1900 and 2200, as PostgreSQL's timestamptz has.
            let microseconds = Int64(bitPattern: random.next() % 9_467_280_000_000_000) - 2_208_988_800_000_000
            dates.append(Date(timeIntervalSince1970: Double(microseconds) / 1_000_000))
        }
        for date in dates {
            let timestamp = Timestamp(date)
            XCTAssertEqual(timestamp.text, date.formatted(style), "\(date.timeIntervalSince1970)")
            XCTAssertEqual(timestamp.utf8Count, timestamp.text.utf8.count, "\(date.timeIntervalSince1970)")
        }
    }

}

/// A micropost as the worker encoded it before it wrote posts in place: its link built by
/// string interpolation, its timestamp by Foundation's format style.
private struct ReferenceMicropost: Encodable {
    var id: Int64
    var href: String
    var user: String
    var text: String
    var referenced: String?
    var timestamp: String

    init(_ post: Micropost, baseURL: String) {
        id = post.id
        href = "\(baseURL)/api/users/\(FormURLEncoding.encode(post.author))/collection/\(post.id)"
        user = post.author
        text = post.text
        referenced = post.referenced
        timestamp = post.createdAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    private enum CodingKeys: String, CodingKey { case id, href, user, text, referenced, timestamp }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(href, forKey: .href)
        try container.encode(user, forKey: .user)
        try container.encode(text, forKey: .text)
        try container.encode(referenced, forKey: .referenced)
        try container.encode(timestamp, forKey: .timestamp)
    }
}

private struct ReferencePage: Encodable {
    var next: String?
    var previous: String?
    var result: [ReferenceMicropost]

    private enum CodingKeys: String, CodingKey { case next, previous, result }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(next, forKey: .next)
        try container.encode(previous, forKey: .previous)
        try container.encode(result, forKey: .result)
    }
}
