import MicropostsModels
import RPC
import XCTest

@testable import DataService

final class FollowMethodTests: XCTestCase {
    func testFollowIsIdempotentAndUnfollowReportsWhatItRemoved() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben")
            assertEqual(
                try await service.call(.follow, FollowRequest(username: "ana", other: "ben")), FollowResponse(wasAlreadyFollowing: false))
            assertEqual(
                try await service.call(.follow, FollowRequest(username: "ana", other: "ben")), FollowResponse(wasAlreadyFollowing: true))
            assertEqual(
                try await service.call(.unfollow, FollowRequest(username: "ana", other: "ben")), UnfollowResponse(wasFollowing: true))
            assertEqual(
                try await service.call(.unfollow, FollowRequest(username: "ana", other: "ben")), UnfollowResponse(wasFollowing: false))
        }
    }

    func testFollowErrors() async throws {
        try await withDataService { service in
            try await service.register("ana")
            await assertRPCError(.invalidArgument, messageContains: "other") {
                try await service.call(.follow, FollowRequest(username: "ana", other: "ana"))
            }
            await assertRPCError(.invalidArgument, messageContains: "other") {
                try await service.call(.follow, FollowRequest(username: "ana", other: "nobody"))
            }
            await assertRPCError(.notFound) { try await service.call(.follow, FollowRequest(username: "nobody", other: "ana")) }
            await assertRPCError(.notFound) { try await service.call(.unfollow, FollowRequest(username: "ana", other: "nobody")) }
            await assertRPCError(.notFound) { try await service.call(.following, UserListRequest(username: "nobody")) }
            await assertRPCError(.notFound) { try await service.call(.followers, UserListRequest(username: "nobody")) }
        }
    }

    func testFollowingAndFollowersListsPage() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben", "cy", "dee")
            for other in ["ben", "cy", "dee"] {
                _ = try await service.call(.follow, FollowRequest(username: "ana", other: other))
            }
            _ = try await service.call(.follow, FollowRequest(username: "ben", other: "dee"))

            let first = try await service.call(.following, UserListRequest(username: "ana", page: PageRequest(page: 1, size: 2)))
            XCTAssertEqual(first.items.map(\.username), ["dee", "cy"])
            XCTAssertTrue(first.hasNext)
            let second = try await service.call(.following, UserListRequest(username: "ana", page: PageRequest(page: 2, size: 2)))
            XCTAssertEqual(second.items.map(\.username), ["ben"])
            XCTAssertFalse(second.hasNext)

            let followers = try await service.call(.followers, UserListRequest(username: "dee"))
            XCTAssertEqual(followers.items.map(\.username), ["ben", "ana"])
            XCTAssertFalse(followers.hasNext)
            assertEqual(try await service.call(.followers, UserListRequest(username: "ana")).items, [])
        }
    }
}
