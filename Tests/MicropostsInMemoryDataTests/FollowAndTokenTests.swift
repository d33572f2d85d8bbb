import Foundation
import MicropostsInMemoryData
import MicropostsModels
import NIOConcurrencyHelpers
import RPC
import XCTest

/// Follows, timelines, and token revocations that end.
final class FollowAndTokenTests: XCTestCase {
    func testFollowsAreListedMostRecentFirstAndFeedTheTimeline() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        for name in ["ana", "bob", "cy"] { try await server.register(name) }
        try await server.post("bob", "bob 1")
        try await server.post("cy", "cy 1")
        try await server.post("ana", "own posts are not in the timeline")
        try await server.post("bob", "bob 2")

        XCTAssertEqual(try await server.call(.follow, FollowRequest(username: "ana", other: "bob")).wasAlreadyFollowing, false)
        XCTAssertEqual(try await server.call(.follow, FollowRequest(username: "ana", other: "bob")).wasAlreadyFollowing, true)
        _ = try await server.call(.follow, FollowRequest(username: "ana", other: "cy"))
        _ = try await server.call(.follow, FollowRequest(username: "cy", other: "bob"))
        let following = try await server.call(.following, UserListRequest(username: "ana"))
        XCTAssertEqual(following.items.map(\.username), ["cy", "bob"])
        let followers = try await server.call(.followers, UserListRequest(username: "bob"))
        XCTAssertEqual(followers.items.map(\.username), ["cy", "ana"])
        let timeline = try await server.call(.timeline, UserListRequest(username: "ana", page: PageRequest(page: 1, size: 2)))
        XCTAssertEqual(timeline.items.map(\.text), ["bob 2", "cy 1"])
        XCTAssertTrue(timeline.hasNext)

        XCTAssertEqual(try await server.call(.unfollow, FollowRequest(username: "ana", other: "bob")).wasFollowing, true)
        XCTAssertEqual(try await server.call(.unfollow, FollowRequest(username: "ana", other: "bob")).wasFollowing, false)
        XCTAssertEqual(try await server.call(.followers, UserListRequest(username: "bob")).items.map(\.username), ["cy"])
    }

    func testFollowErrorsAreTheRealServices() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        try await server.register("ana")
        let yourself = await server.error(.follow, FollowRequest(username: "ana", other: "ana"))
        XCTAssertEqual(yourself?.message, "other: a user cannot follow themselves")
        XCTAssertEqual(await server.error(.follow, FollowRequest(username: "zed", other: "ana"))?.code, .notFound)
        let unknown = await server.error(.follow, FollowRequest(username: "ana", other: "zed"))
        XCTAssertEqual(unknown?.code, .invalidArgument)
        XCTAssertEqual(unknown?.message, "other: no user 'zed'")
        XCTAssertEqual(await server.error(.unfollow, FollowRequest(username: "ana", other: "zed"))?.code, .notFound)
        XCTAssertEqual(await server.error(.following, UserListRequest(username: "zed"))?.code, .notFound)
        XCTAssertEqual(await server.error(.timeline, UserListRequest(username: "zed"))?.code, .notFound)
    }

    func testARevocationHoldsUntilItsEndAndRevokingAgainNeverShortensIt() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        let end = server.now.addingTimeInterval(60)
        _ = try await server.call(.revokeToken, RevokeTokenRequest(tokenID: "t", expiresAt: end))
        _ = try await server.call(.revokeToken, RevokeTokenRequest(tokenID: "t", expiresAt: end.addingTimeInterval(-30)))
        XCTAssertEqual(server.data.revocationEnd(ofTokenID: "t"), end)
        let asked = CheckRevokedTokensRequest(tokenIDs: ["t", "u", "t"])
        XCTAssertEqual(try await server.call(.checkRevokedTokens, asked).revokedIDs, ["t"])
        server.advance(by: 60)
        XCTAssertEqual(try await server.call(.checkRevokedTokens, asked).revokedIDs, [])

        XCTAssertEqual(
            await server.error(.revokeToken, RevokeTokenRequest(tokenID: "", expiresAt: end))?.code, .invalidArgument)
        let tooMany = CheckRevokedTokensRequest(tokenIDs: (0...DataLimits.maximumTokenIDsPerCheck).map { "t\($0)" })
        XCTAssertEqual(await server.error(.checkRevokedTokens, tooMany)?.code, .invalidArgument)
    }

    func testAHookSeesEveryCallAndItsErrorIsTheCallers() async throws {
        let seen = NIOLockedValueBox<[String]>([])
        let server = try await InMemoryDataServer { context in
            seen.withLockedValue { $0.append(context.method) }
            if context.method == "users.get" { throw RPCError(.permissionDenied, "refused by the hook") }
        }
        defer { server.shutdown() }
        try await server.register("ana")
        let refused = await server.error(.getUser, GetUserRequest(username: "ana"))
        XCTAssertEqual(refused?.code, .permissionDenied)
        XCTAssertEqual(refused?.message, "refused by the hook")
        XCTAssertEqual(seen.withLockedValue { $0 }, ["users.register", "users.get"])
    }
}
