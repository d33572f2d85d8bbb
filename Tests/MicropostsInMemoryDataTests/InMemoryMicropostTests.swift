import Foundation
import MicropostsInMemoryData
import MicropostsModels
import RPC
import XCTest

/// Microposts: ownership, references, not found, and newest-first pages with an exact `hasNext`.
final class InMemoryMicropostTests: XCTestCase {
    func testCreateReadChangeAndDeleteWithTheRealServicesErrors() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        try await server.register("ana")
        try await server.register("bob")
        let post = try await server.post("ana", "héllo", referenced: "bob")
        expectEqual(post.author, "ana")
        expectEqual(post.referenced, "bob")
        expectEqual(post.createdAt, post.updatedAt)
        expectEqual(
            post.createdAt.timeIntervalSince1970 * 1_000_000, (post.createdAt.timeIntervalSince1970 * 1_000_000).rounded(.down),
            "kept to the microsecond, like timestamptz")
        expectEqual(try await server.call(.getMicropost, GetMicropostRequest(username: "ana", id: post.id)), post)

        let noAuthor = await server.error(.createMicropost, CreateMicropostRequest(username: "zed", text: "x"))
        expectEqual(noAuthor?.code, .notFound)
        expectEqual(noAuthor?.message, "no user 'zed'")
        let noReferenced = await server.error(.createMicropost, CreateMicropostRequest(username: "ana", text: "x", referenced: "zed"))
        expectEqual(noReferenced?.code, .invalidArgument)
        expectEqual(noReferenced?.message, "referenced: no user 'zed'")
        expectEqual(await server.error(.createMicropost, CreateMicropostRequest(username: "ana", text: ""))?.code, .invalidArgument)

        let elsewhere = await server.error(.getMicropost, GetMicropostRequest(username: "bob", id: post.id))
        expectEqual(elsewhere?.message, "no micropost \(post.id) by 'bob'")
        let notTheirs = await server.error(
            .patchMicropost, PatchMicropostRequest(username: "ana", id: post.id, actingUsername: "bob", text: "mine"))
        expectEqual(notTheirs?.code, .permissionDenied)
        let badReference = await server.error(
            .replaceMicropost, ReplaceMicropostRequest(username: "ana", id: post.id, actingUsername: "ana", text: "x", referenced: "zed"))
        expectEqual(badReference?.code, .invalidArgument)

        server.advance(by: 1)
        let patched = try await server.call(
            .patchMicropost, PatchMicropostRequest(username: "ana", id: post.id, actingUsername: "ana", referenced: .clear))
        expectEqual(patched.text, "héllo")
        XCTAssertNil(patched.referenced)
        XCTAssertGreaterThan(patched.updatedAt, post.updatedAt)
        let replaced = try await server.call(
            .replaceMicropost, ReplaceMicropostRequest(username: "ana", id: post.id, actingUsername: "ana", text: "new", referenced: nil))
        expectEqual(replaced.text, "new")

        expectEqual(
            await server.error(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id, actingUsername: "bob"))?.code,
            .permissionDenied)
        _ = try await server.call(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id, actingUsername: "ana"))
        expectEqual(
            await server.error(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id, actingUsername: "ana"))?.code,
            .notFound)
        let page = try await server.call(.listMicroposts, UserListRequest(username: "ana"))
        expectEqual(page.items, [])
    }

    func testPagesAreNewestFirstWithAnExactHasNextAndAResultWindow() async throws {
        let server = try await InMemoryDataServer(settings: InMemoryDataSettings(maximumResultWindow: 100))
        defer { server.shutdown() }
        try await server.register("ana")
        for number in 1...5 { try await server.post("ana", "post \(number)") }
        func texts(_ page: Int, _ size: Int) async throws -> ([String], Bool) {
            let result = try await server.call(.listMicroposts, UserListRequest(username: "ana", page: PageRequest(page: page, size: size)))
            return (result.items.map(\.text), result.hasNext)
        }
        var (items, hasNext) = try await texts(1, 2)
        expectEqual(items, ["post 5", "post 4"])
        XCTAssertTrue(hasNext)
        (items, hasNext) = try await texts(3, 2)
        expectEqual(items, ["post 1"])
        XCTAssertFalse(hasNext)
        (items, hasNext) = try await texts(1, 5)
        XCTAssertFalse(hasNext, "exactly one full page")
        (items, hasNext) = try await texts(9, 5)
        expectEqual(items, [])

        let deep = await server.error(.listMicroposts, UserListRequest(username: "ana", page: PageRequest(page: 11, size: 10)))
        expectEqual(deep?.code, .invalidArgument)
        XCTAssertTrue(deep?.message.hasPrefix("page: page × size must be at most 100") ?? false, deep?.message ?? "")
        expectEqual(
            await server.error(.searchMicroposts, SearchMicropostsRequest(text: "post", page: PageRequest(page: 101, size: 1)))?.code,
            .invalidArgument)
        expectEqual(
            await server.error(.listMicroposts, UserListRequest(username: "ana", page: PageRequest(page: 0, size: 1)))?.code,
            .invalidArgument)
        expectEqual(await server.error(.listMicroposts, UserListRequest(username: "zed"))?.code, .notFound)
    }

    func testSearchIgnoresCaseAndMatchesPatternCharactersLiterally() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        try await server.register("ana")
        try await server.register("bob")
        try await server.post("ana", "Swift is fun")
        try await server.post("bob", "100% SWIFT")
        try await server.post("bob", "100 percent")
        let all = try await server.call(.searchMicroposts, SearchMicropostsRequest(text: "swift"))
        expectEqual(all.items.map(\.text), ["100% SWIFT", "Swift is fun"])
        let percent = try await server.call(.searchMicroposts, SearchMicropostsRequest(text: "0% "))
        expectEqual(percent.items.map(\.text), ["100% SWIFT"])
        let byBob = try await server.call(.searchMicroposts, SearchMicropostsRequest(text: "swift", username: "BO"))
        expectEqual(byBob.items.map(\.author), ["bob"])
        expectEqual(await server.error(.searchMicroposts, SearchMicropostsRequest(text: "sw"))?.code, .invalidArgument)
    }

    func testStoredFixturesKeepTheirIdsAndLaterPostsFollowThem() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        try await server.register("ana")
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        for id: Int64 in [3_000, 1_000, 2_000] {
            server.data.store(Micropost(id: id, author: "ana", text: "fixture \(id)", referenced: nil, createdAt: date, updatedAt: date))
        }
        let created = try await server.post("ana", "new")
        expectEqual(created.id, 3_001)
        let page = try await server.call(.listMicroposts, UserListRequest(username: "ana"))
        expectEqual(page.items.map(\.id), [3_001, 3_000, 2_000, 1_000])
    }
}
