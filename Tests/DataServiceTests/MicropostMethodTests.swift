import MicropostsModels
import RPC
import XCTest

@testable import DataService

final class MicropostMethodTests: XCTestCase {
    func testCreateAndGet() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben")
            let before = Date()
            let post = try await service.post("ana", "hello @ben", referenced: "ben")
            XCTAssertGreaterThan(post.id, 0)
            XCTAssertEqual(post.author, "ana")
            XCTAssertEqual(post.text, "hello @ben")
            XCTAssertEqual(post.referenced, "ben")
            XCTAssertEqual(post.createdAt.timeIntervalSince1970, before.timeIntervalSince1970, accuracy: 5)
            XCTAssertEqual(post.createdAt, post.updatedAt)
            let fetched = try await service.call(.getMicropost, GetMicropostRequest(username: "ana", id: post.id))
            XCTAssertEqual(fetched, post)
            let plain = try await service.post("ana", "no reference")
            XCTAssertNil(plain.referenced)
            XCTAssertGreaterThan(plain.id, post.id)
            // Read back every way a post is read: alone, and in its author's collection.
            let plainFetched = try await service.call(.getMicropost, GetMicropostRequest(username: "ana", id: plain.id))
            XCTAssertEqual(plainFetched, plain)
            let collection = try await service.call(.listMicroposts, UserListRequest(username: "ana"))
            XCTAssertEqual(collection.items, [plain, post])
        }
    }

    func testCreateErrors() async throws {
        try await withDataService { service in
            try await service.register("ana")
            await assertRPCError(.notFound) { try await service.post("nobody", "hello") }
            await assertRPCError(.invalidArgument, messageContains: "referenced") {
                try await service.post("ana", "hi", referenced: "nobody")
            }
            await assertRPCError(.invalidArgument, messageContains: "text") { try await service.post("ana", "") }
            await assertRPCError(.invalidArgument, messageContains: "text") { try await service.post("ana", "nul \u{0} inside") }
        }
    }

    /// Lengths count code points, through the real RPC and the database's own CHECK.
    func testTextOf255CodePointsIsAcceptedAnd256Refused() async throws {
        try await withDataService { service in
            try await service.register("ana")
            for unit in ["a", "é", "語", "😀"] {
                let longest = String(repeating: unit, count: 255)
                let post = try await service.post("ana", longest)
                XCTAssertEqual(post.text, longest)
                let stored = try await service.call(.getMicropost, GetMicropostRequest(username: "ana", id: post.id))
                XCTAssertEqual(stored.text.unicodeScalars.count, 255)
                await assertRPCError(.invalidArgument, messageContains: "text") {
                    try await service.post("ana", longest + unit)
                }
            }
        }
    }

    func testGetOfAnotherUsersPostIsNotFound() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben")
            let post = try await service.post("ana", "mine")
            await assertRPCError(.notFound) { try await service.call(.getMicropost, GetMicropostRequest(username: "ben", id: post.id)) }
            await assertRPCError(.notFound) {
                try await service.call(.getMicropost, GetMicropostRequest(username: "ana", id: post.id + 1000))
            }
            await assertRPCError(.invalidArgument, messageContains: "id") {
                try await service.call(.getMicropost, GetMicropostRequest(username: "ana", id: 0))
            }
        }
    }

    func testReplaceSetsBothFields() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben", "cy")
            let post = try await service.post("ana", "first", referenced: "ben")
            let replaced = try await service.call(
                .replaceMicropost,
                ReplaceMicropostRequest(
                    username: "ana", id: post.id, actingUsername: "ana", text: "second", referenced: "cy"))
            XCTAssertEqual(replaced.text, "second")
            XCTAssertEqual(replaced.referenced, "cy")
            XCTAssertEqual(replaced.createdAt, post.createdAt)
            XCTAssertGreaterThanOrEqual(replaced.updatedAt, post.updatedAt)
            let cleared = try await service.call(
                .replaceMicropost,
                ReplaceMicropostRequest(
                    username: "ana", id: post.id, actingUsername: "ana", text: "third", referenced: nil))
            XCTAssertNil(cleared.referenced)
            assertEqual(try await service.call(.getMicropost, GetMicropostRequest(username: "ana", id: post.id)), cleared)
        }
    }

    func testPatchKeepsClearsAndSetsReferenced() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben", "cy")
            let post = try await service.post("ana", "first", referenced: "ben")
            func patch(text: String?, _ referenced: NullableUpdate<String>) async throws -> Micropost {
                try await service.call(
                    .patchMicropost,
                    PatchMicropostRequest(
                        username: "ana", id: post.id, actingUsername: "ana", text: text, referenced: referenced))
            }
            let textOnly = try await patch(text: "changed", .keep)
            XCTAssertEqual(textOnly.text, "changed")
            XCTAssertEqual(textOnly.referenced, "ben")
            let set = try await patch(text: nil, .set("cy"))
            XCTAssertEqual(set.text, "changed")
            XCTAssertEqual(set.referenced, "cy")
            let cleared = try await patch(text: nil, .clear)
            XCTAssertNil(cleared.referenced)
            XCTAssertEqual(cleared.text, "changed")
            await assertRPCError(.invalidArgument, messageContains: "referenced") { try await patch(text: nil, .set("nobody")) }
            await assertRPCError(.invalidArgument, messageContains: "text") {
                try await patch(text: String(repeating: "😀", count: 256), .keep)
            }
        }
    }

    /// The check and the write are one statement: a stranger gets permissionDenied, a wrong
    /// collection or id notFound, and nothing changes.
    func testOnlyTheAuthorMayChangeOrDelete() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben")
            let post = try await service.post("ana", "mine")
            await assertRPCError(.permissionDenied) {
                try await service.call(
                    .replaceMicropost,
                    ReplaceMicropostRequest(
                        username: "ana", id: post.id, actingUsername: "ben", text: "stolen", referenced: nil))
            }
            await assertRPCError(.permissionDenied) {
                try await service.call(
                    .patchMicropost, PatchMicropostRequest(username: "ana", id: post.id, actingUsername: "ben", text: "stolen"))
            }
            await assertRPCError(.permissionDenied) {
                try await service.call(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id, actingUsername: "ben"))
            }
            await assertRPCError(.notFound) {
                try await service.call(
                    .patchMicropost, PatchMicropostRequest(username: "ben", id: post.id, actingUsername: "ben", text: "x"))
            }
            await assertRPCError(.notFound) {
                try await service.call(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id + 99, actingUsername: "ana"))
            }
            assertEqual(try await service.call(.getMicropost, GetMicropostRequest(username: "ana", id: post.id)), post)
        }
    }

    func testDelete() async throws {
        try await withDataService { service in
            try await service.register("ana")
            let post = try await service.post("ana", "short-lived")
            _ = try await service.call(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id, actingUsername: "ana"))
            await assertRPCError(.notFound) { try await service.call(.getMicropost, GetMicropostRequest(username: "ana", id: post.id)) }
            await assertRPCError(.notFound) {
                try await service.call(.deleteMicropost, DeleteMicropostRequest(username: "ana", id: post.id, actingUsername: "ana"))
            }
        }
    }
}
