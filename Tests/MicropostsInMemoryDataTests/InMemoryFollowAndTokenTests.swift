import Foundation
import MicropostsInMemoryData
import MicropostsModels
import NIOConcurrencyHelpers
import RPC
import XCTest

/// Follows, timelines, and token revocations that end.
final class InMemoryFollowAndTokenTests: XCTestCase {
    func testFollowsAreListedMostRecentFirstAndFeedTheTimeline() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        for name in ["ana", "bob", "cy"] { try await server.register(name) }
        try await server.post("bob", "bob 1")
        try await server.post("cy", "cy 1")
        try await server.post("ana", "own posts are not in the timeline")
        try await server.post("bob", "bob 2")

        expectEqual(try await server.call(.follow, FollowRequest(username: "ana", other: "bob")).wasAlreadyFollowing, false)
        expectEqual(try await server.call(.follow, FollowRequest(username: "ana", other: "bob")).wasAlreadyFollowing, true)
        _ = try await server.call(.follow, FollowRequest(username: "ana", other: "cy"))
        _ = try await server.call(.follow, FollowRequest(username: "cy", other: "bob"))
        let following = try await server.call(.following, UserListRequest(username: "ana"))
        expectEqual(following.items.map(\.username), ["cy", "bob"])
        let followers = try await server.call(.followers, UserListRequest(username: "bob"))
        expectEqual(followers.items.map(\.username), ["cy", "ana"])
        let timeline = try await server.call(.timeline, UserListRequest(username: "ana", page: PageRequest(page: 1, size: 2)))
        expectEqual(timeline.items.map(\.text), ["bob 2", "cy 1"])
        XCTAssertTrue(timeline.hasNext)

        expectEqual(try await server.call(.unfollow, FollowRequest(username: "ana", other: "bob")).wasFollowing, true)
        expectEqual(try await server.call(.unfollow, FollowRequest(username: "ana", other: "bob")).wasFollowing, false)
        expectEqual(try await server.call(.followers, UserListRequest(username: "bob")).items.map(\.username), ["cy"])
    }

    func testFollowErrorsAreTheRealServices() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        try await server.register("ana")
        let yourself = await server.error(.follow, FollowRequest(username: "ana", other: "ana"))
        expectEqual(yourself?.message, "other: a user cannot follow themselves")
        expectEqual(await server.error(.follow, FollowRequest(username: "zed", other: "ana"))?.code, .notFound)
        let unknown = await server.error(.follow, FollowRequest(username: "ana", other: "zed"))
        expectEqual(unknown?.code, .invalidArgument)
        expectEqual(unknown?.message, "other: no user 'zed'")
        expectEqual(await server.error(.unfollow, FollowRequest(username: "ana", other: "zed"))?.code, .notFound)
        expectEqual(await server.error(.following, UserListRequest(username: "zed"))?.code, .notFound)
        expectEqual(await server.error(.timeline, UserListRequest(username: "zed"))?.code, .notFound)
    }

    func testARevocationHoldsUntilItsEndAndRevokingAgainNeverShortensIt() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        let end = server.now.addingTimeInterval(60)
        _ = try await server.call(.revokeToken, RevokeTokenRequest(tokenID: "t", expiresAt: end))
        _ = try await server.call(.revokeToken, RevokeTokenRequest(tokenID: "t", expiresAt: end.addingTimeInterval(-30)))
        expectEqual(server.data.revocationEnd(ofTokenID: "t"), end)
        let asked = CheckRevokedTokensRequest(tokenIDs: ["t", "u", "t"])
        expectEqual(try await server.call(.checkRevokedTokens, asked).revokedIDs, ["t"])
        server.advance(by: 60)
        expectEqual(try await server.call(.checkRevokedTokens, asked).revokedIDs, [])

        expectEqual(
            await server.error(.revokeToken, RevokeTokenRequest(tokenID: "", expiresAt: end))?.code, .invalidArgument)
        let tooMany = CheckRevokedTokensRequest(tokenIDs: (0...DataLimits.maximumTokenIDsPerCheck).map { "t\($0)" })
        expectEqual(await server.error(.checkRevokedTokens, tooMany)?.code, .invalidArgument)
    }
}
