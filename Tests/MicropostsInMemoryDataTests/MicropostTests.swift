import Foundation
import MicropostsInMemoryData
import MicropostsModels
import RPC
import XCTest

/// Microposts: ownership, references, not found, and newest-first pages with an exact `hasNext`.
final class MicropostTests: XCTestCase {
    func testCreateReadChangeAndDeleteWithTheRealServicesErrors() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        try await server.register("ana")
        try await server.register("bob")
        let post = try await server.post("ana", "héllo", referenced: "bob")
        XCTAssertEqual(post.author, "ana")
        XCTAssertEqual(post.referenced, "bob")
        XCTAssertEqual(post.createdAt, post.updatedAt)
        XCTAssertEqual(
            post.createdAt.timeIntervalSince1970 * 1_000_000, (post.createdAt.timeIntervalSince1970 * 1_000_000).rounded(.down),
            "kept to the microsecond, like timestamptz")
        XCTAssertEqual(try await server.call(.getMicropost, GetMicropostRequest(username: "ana", id: post.id)), post)

        let noAuthor = await server.error(.createMicropost, CreateMicropostRequest(username: "zed", text: "x"))
        XCTAssertEqual(noAuthor?.code, .notFound)
        XCTAssertEqual(noAuthor?.message, "no user 'zed'")
        let noReferenced = await server.error(.createMicropost, CreateMicropostRequest(username: "ana", text: "x", referenced: "zed"))
        XCTAssertEqual(noReferenced?.code, .invalidArgument)
        XCTAssertEqual(noReferenced?.message, "referenced: no user 'zed'")
        XCTAssertEqual(await server.error(.createMicropost, CreateMicropostRequest(username: "ana", text: ""))?.code, .invalidArgument)

        let elsewhere = await server.error(.getMicropost, GetMicropostRequest(username: "bob", id: post.id))
        XCTAssertEqual(elsewhere?.message, "no micropost \(post.id) by 'bob'")
        let notTheirs = await server.error(
            .patchMicropost, PatchMicropostRequest(username: "ana", id: post.id, actingUsername: "bob", text: "mine"))
        XCTAssertEqual(notTheirs?.code, .permissionDenied)
        let badReference = await server.error(
            .replaceMicropost, ReplaceMicropostRequest(username: "ana", id: post.id, actingUsername: "ana", text: "x", referenced: "zed"))
        XCTAssertEqual(badReference?.code, .invalidArgument)

        server.advance(by: 1)
        let patched = try await server.call(
            .patchMicropost, PatchMicropostRequest(username: "ana", id: post.id, actingUsername: "ana", referenced: .clear))
        XCTAssertEqual(patched.text, "héllo")
        XCTAssertNil(patched.referenced)
        XCTAssertGreaterThan(patched.updatedAt, post.updatedAt)
        let replaced = try await server.call(
            .replaceMicropost, ReplaceMicropostRequest(username: "ana", id: post.id, actingUsername: "ana", text: "new", referenced: nil))
        XCTAssertEqual(replaced.text, "new")

        XCTAssertEqual(
            await server.error(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id, actingUsername: "bob"))?.code,
            .permissionDenied)
        _ = try await server.call(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id, actingUsername: "ana"))
        XCTAssertEqual(
            await server.error(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id, actingUsername: "ana"))?.code,
            .notFound)
        let page = try await server.call(.listMicroposts, UserListRequest(username: "ana"))
        XCTAssertEqual(page.items, [])
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
        XCTAssertEqual(items, ["post 5", "post 4"])
        XCTAssertTrue(hasNext)
        (items, hasNext) = try await texts(3, 2)
        XCTAssertEqual(items, ["post 1"])
        XCTAssertFalse(hasNext)
        (items, hasNext) = try await texts(1, 5)
        XCTAssertFalse(hasNext, "exactly one full page")
        (items, hasNext) = try await texts(9, 5)
        XCTAssertEqual(items, [])

        let deep = await server.error(.listMicroposts, UserListRequest(username: "ana", page: PageRequest(page: 11, size: 10)))
        XCTAssertEqual(deep?.code, .invalidArgument)
        XCTAssertTrue(deep?.message.hasPrefix("page: page × size must be at most 100") ?? false, deep?.message ?? "")
        XCTAssertEqual(
            await server.error(.searchMicroposts, SearchMicropostsRequest(text: "post", page: PageRequest(page: 101, size: 1)))?.code,
            .invalidArgument)
        XCTAssertEqual(
            await server.error(.listMicroposts, UserListRequest(username: "ana", page: PageRequest(page: 0, size: 1)))?.code,
            .invalidArgument)
        XCTAssertEqual(await server.error(.listMicroposts, UserListRequest(username: "zed"))?.code, .notFound)
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
        XCTAssertEqual(all.items.map(\.text), ["100% SWIFT", "Swift is fun"])
        let percent = try await server.call(.searchMicroposts, SearchMicropostsRequest(text: "0% "))
        XCTAssertEqual(percent.items.map(\.text), ["100% SWIFT"])
        let byBob = try await server.call(.searchMicroposts, SearchMicropostsRequest(text: "swift", username: "BO"))
        XCTAssertEqual(byBob.items.map(\.author), ["bob"])
        XCTAssertEqual(await server.error(.searchMicroposts, SearchMicropostsRequest(text: "sw"))?.code, .invalidArgument)
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
        XCTAssertEqual(created.id, 3_001)
        let page = try await server.call(.listMicroposts, UserListRequest(username: "ana"))
        XCTAssertEqual(page.items.map(\.id), [3_001, 3_000, 2_000, 1_000])
    }
}
