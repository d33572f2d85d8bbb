import AppServerProtocol
import Foundation
import MicropostsModels
import NIOCore
import XCTest

@testable import RPC

/// Every model through the wire format: binary and JSON round trips over edge cases and
/// random values, and truncated bytes refused at every length.
final class ModelWireTests: XCTestCase {
    private var random = SplitMix64(seed: 20_261_205)

    private let edgeCaseStrings = ["", "a", "ana ß 😀", "日本語", String(repeating: "x", count: 127), String(repeating: "é", count: 300)]
    private let edgeCaseIDs: [Int64] = [0, 1, -1, 127, 128, .min, .max]
    private let edgeCaseDates = [
        Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_700_000_000.25), Date(timeIntervalSinceReferenceDate: -1.5),
    ]

    private func randomString() -> String {
        let scalars = (0..<Int.random(in: 0...40, using: &random)).map { _ in
            Unicode.Scalar(UInt32.random(in: 0x20...0x7E, using: &random)).map(Character.init) ?? "?"
        }
        return String(scalars)
    }

    private func randomPost() -> Micropost {
        // Whole milliseconds: JSON dates carry no more.
        let date = Date(timeIntervalSince1970: Double(Int64.random(in: 0...2_000_000_000_000, using: &random)) / 1000)
        return Micropost(
            id: Int64.random(in: .min ... .max, using: &random), author: randomString(), text: randomString(),
            referenced: Bool.random(using: &random) ? randomString() : nil, createdAt: date, updatedAt: date)
    }

    /// Binary gives the value back exactly; JSON (dates to the millisecond) gives its own text back.
    private func assertRoundTrips<T: WireMessage & Equatable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) {
        do {
            var binary = ByteBuffer()
            try value.encodeWire(into: &binary)
            XCTAssertEqual(try T(wire: &binary), value, "binary", file: file, line: line)
            var json = ByteBuffer()
            try value.encodeJSON(into: &json)
            let text = json
            var again = ByteBuffer()
            try T(json: &json).encodeJSON(into: &again)
            XCTAssertEqual(String(buffer: again), String(buffer: text), "json", file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    /// Every strict prefix of the encoding is refused: fields are required or end inside a value.
    private func assertTruncationsFail<T: WireMessage>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        var buffer = ByteBuffer()
        try value.encodeWire(into: &buffer)
        let bytes = Array(buffer.readableBytesView)
        for length in 0..<bytes.count {
            var prefix = ByteBuffer(bytes: bytes.prefix(length))
            // A prefix that ends between fields may decode when only optional fields are cut off.
            if let decoded = try? T(wire: &prefix) {
                var again = ByteBuffer()
                try decoded.encodeWire(into: &again)
                XCTAssertEqual(Array(again.readableBytesView), Array(bytes.prefix(length)), "prefix \(length)", file: file, line: line)
            }
        }
    }

    func testMicroposts() throws {
        var posts: [Micropost] = []
        for (index, text) in edgeCaseStrings.enumerated() {
            let date = edgeCaseDates[index % edgeCaseDates.count]
            posts.append(
                Micropost(
                    id: edgeCaseIDs[index % edgeCaseIDs.count], author: text, text: text, referenced: index.isMultiple(of: 2) ? nil : text,
                    createdAt: date, updatedAt: date))
        }
        posts += (0..<200).map { _ in randomPost() }
        for post in posts { assertRoundTrips(post) }
        for count in [0, 1, 20, 100] {
            assertRoundTrips(Page(items: Array(posts.prefix(count)), hasNext: count.isMultiple(of: 20)))
        }
        try assertTruncationsFail(posts[1])
        try assertTruncationsFail(Page(items: Array(posts.prefix(3)), hasNext: true))
    }

    func testRequests() throws {
        for text in edgeCaseStrings {
            assertRoundTrips(CreateMicropostRequest(username: text, text: text, referenced: text.isEmpty ? nil : text))
            assertRoundTrips(SearchMicropostsRequest(text: text, username: text.isEmpty ? nil : text, page: PageRequest(page: 2, size: 7)))
            assertRoundTrips(RegisterUserRequest(username: text, password: text))
            assertRoundTrips(VerifyCredentialsRequest(username: text, password: text))
            assertRoundTrips(FollowRequest(username: text, other: text))
            assertRoundTrips(RevokeTokenRequest(tokenID: text, expiresAt: edgeCaseDates[1]))
        }
        for id in edgeCaseIDs {
            assertRoundTrips(GetMicropostRequest(username: "ana", id: id))
            assertRoundTrips(DeleteMicropostRequest(username: "ana", id: id, actingUsername: "ben"))
            assertRoundTrips(ReplaceMicropostRequest(username: "ana", id: id, actingUsername: "ana", text: "t", referenced: nil))
            for referenced in [NullableUpdate<String>.keep, .clear, .set("ben")] {
                assertRoundTrips(PatchMicropostRequest(username: "ana", id: id, actingUsername: "ana", text: nil, referenced: referenced))
            }
        }
        for number in [0, 1, -1, 100, .min, .max] {
            assertRoundTrips(UserListRequest(username: "ana", page: PageRequest(page: number, size: number)))
        }
        assertRoundTrips(CheckRevokedTokensRequest(tokenIDs: []))
        assertRoundTrips(CheckRevokedTokensRequest(tokenIDs: edgeCaseStrings))
        assertRoundTrips(RevokedTokens(revokedIDs: edgeCaseStrings))
        try assertTruncationsFail(PatchMicropostRequest(username: "ana", id: 9, actingUsername: "ana", text: "x", referenced: .set("b")))
    }

    func testResponses() {
        assertRoundTrips(LogInOutcome.refused)
        assertRoundTrips(LogInOutcome.verified(User(username: "ana")))
        assertRoundTrips(LogInOutcome.throttled(retryAfterSeconds: 30))
        assertRoundTrips(FollowResponse(wasAlreadyFollowing: true))
        assertRoundTrips(UnfollowResponse(wasFollowing: false))
        assertRoundTrips(Page(items: edgeCaseStrings.map(User.init(username:)), hasNext: true))
        assertRoundTrips(NoContent())
    }

    func testEnvelopes() throws {
        let request = HTTPEnvelopeRequest(
            method: "POST", target: "/api/users/ana/collection?x=%20",
            headers: [HTTPHeaderField(name: "Content-Type", value: "application/json"), HTTPHeaderField(name: "X", value: "")],
            body: Array("{\"text\":\"hi\"}".utf8), clientAddress: "::1", scheme: "http", host: "localhost", port: 8080)
        assertRoundTrips(request)
        assertRoundTrips(HTTPEnvelopeResponse(status: 201, headers: [], body: [UInt8](repeating: 0xFF, count: 70_000)))
        try assertTruncationsFail(request)
    }

    /// A newer micropost (one more optional field) still reads as a micropost, and back.
    func testAMicropostWithANewOptionalFieldIsReadByTodaysCode() throws {
        struct NewerMicropost: WireMessage {
            var post = Micropost()
            var likes: Int64? = 12

            mutating func wireFields(_ fields: inout WireFields) throws {
                try post.wireFields(&fields)
                try fields.field(7, "likes", &likes)
            }
        }
        let post = Micropost(id: 5, author: "ana", text: "hi", referenced: nil, createdAt: edgeCaseDates[1], updatedAt: edgeCaseDates[1])
        var bytes = ByteBuffer()
        try NewerMicropost(post: post).encodeWire(into: &bytes)
        XCTAssertEqual(try Micropost(wire: &bytes), post)
        var older = ByteBuffer()
        try post.encodeWire(into: &older)
        let newer = try NewerMicropost(wire: &older)
        XCTAssertEqual(newer.post, post)
        XCTAssertNil(newer.likes)
    }
}
