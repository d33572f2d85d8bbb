import MicropostsModels
import PostgresNIO
import RPC
import XCTest

@testable import DataService

final class UserMethodTests: XCTestCase {
    func testRegisterGetAndVerify() async throws {
        try await withDataService { service in
            let user = try await service.call(.registerUser, RegisterUserRequest(username: "ana.b-c_1", password: "correct horse"))
            XCTAssertEqual(user, User(username: "ana.b-c_1"))
            let fetched = try await service.call(.getUser, GetUserRequest(username: "ana.b-c_1"))
            XCTAssertEqual(fetched, user)
            let verified = try await service.call(
                .verifyCredentials, VerifyCredentialsRequest(username: "ana.b-c_1", password: "correct horse"))
            XCTAssertEqual(verified, user)
        }
    }

    func testPasswordIsStoredOnlyAsASaltedHash() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben")
            let hashes = try await service.withDirectClient { client in
                try await client.query("SELECT password_hash FROM users ORDER BY id").collect().map { try $0.decode(String.self) }
            }
            XCTAssertEqual(hashes.count, 2)
            for hash in hashes {
                XCTAssertFalse(hash.contains("password123"))
                XCTAssertTrue(hash.hasPrefix("pbkdf2-sha256$\(DataServiceHarness.testIterations)$"), hash)
            }
            XCTAssertNotEqual(hashes[0], hashes[1], "the same password must hash differently (salt)")
        }
    }

    func testTakenUsernameIsAlreadyExists() async throws {
        try await withDataService { service in
            try await service.register("ana")
            await assertRPCError(.alreadyExists, messageContains: "username") {
                try await service.call(.registerUser, RegisterUserRequest(username: "ana", password: "another password"))
            }
        }
    }

    /// `Alice` and `alice` cannot both exist; the name keeps its registered spelling and is
    /// looked up exactly as spelled.
    func testUsernamesAreUniqueIgnoringCaseAndKeepTheirSpelling() async throws {
        try await withDataService { service in
            assertEqual(
                try await service.call(.registerUser, RegisterUserRequest(username: "Alice", password: "password123")),
                User(username: "Alice"))
            for spelling in ["alice", "ALICE", "aLiCe", "Alice"] {
                await assertRPCError(.alreadyExists, messageContains: "username") {
                    try await service.call(.registerUser, RegisterUserRequest(username: spelling, password: "password123"))
                }
            }
            assertEqual(try await service.call(.getUser, GetUserRequest(username: "Alice")), User(username: "Alice"))
            await assertRPCError(.notFound) { try await service.call(.getUser, GetUserRequest(username: "alice")) }
            assertEqual(
                try await service.call(.logIn, VerifyCredentialsRequest(username: "Alice", password: "password123")),
                .verified(User(username: "Alice")))
            assertEqual(try await service.call(.logIn, VerifyCredentialsRequest(username: "alice", password: "password123")), .refused)
            let stored = try await service.withDirectClient { client in
                try await client.query("SELECT username FROM users").collect().map { try $0.decode(String.self) }
            }
            XCTAssertEqual(stored, ["Alice"])
        }
    }

    /// Two registrations of one name in different case at the same moment: the database decides.
    func testConcurrentRegistrationsInDifferentCaseLeaveOneUser() async throws {
        try await withDataService { service in
            let spellings = ["bob", "Bob", "BOB", "bOb"]
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for spelling in spellings {
                    group.addTask {
                        (try? await service.call(.registerUser, RegisterUserRequest(username: spelling, password: "password123"))) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            XCTAssertEqual(outcomes.filter { $0 }.count, 1)
            let count = try await service.withDirectClient { try await $0.scalar("SELECT count(*) FROM users", as: Int.self) }
            XCTAssertEqual(count, 1)
        }
    }

    func testInvalidRegistrationsNameTheField() async throws {
        try await withDataService { service in
            let cases: [(RegisterUserRequest, String)] = [
                (RegisterUserRequest(username: "", password: "password123"), "username"),
                (RegisterUserRequest(username: String(repeating: "a", count: 51), password: "password123"), "username"),
                (RegisterUserRequest(username: "has space", password: "password123"), "username"),
                (RegisterUserRequest(username: "émile", password: "password123"), "username"),
                (RegisterUserRequest(username: "ana", password: "short"), "password"),
                (RegisterUserRequest(username: "ana", password: String(repeating: "p", count: 129)), "password"),
            ]
            for (request, field) in cases {
                await assertRPCError(.invalidArgument, messageContains: field) {
                    try await service.call(.registerUser, request)
                }
            }
            // The limits themselves are accepted.
            _ = try await service.call(
                .registerUser, RegisterUserRequest(username: String(repeating: "a", count: 50), password: "12345678"))
            _ = try await service.call(.registerUser, RegisterUserRequest(username: "b", password: String(repeating: "é", count: 128)))
        }
    }

    func testWrongPasswordAndUnknownUserAreIndistinguishable() async throws {
        try await withDataService { service in
            try await service.register("ana")
            var messages: [String] = []
            for request in [
                VerifyCredentialsRequest(username: "ana", password: "wrong password"),
                VerifyCredentialsRequest(username: "nobody", password: "password123"),
                VerifyCredentialsRequest(username: "not a valid name", password: "x"),
            ] {
                do {
                    _ = try await service.call(.verifyCredentials, request)
                    XCTFail("verified \(request.username)")
                } catch let error as RPCError {
                    XCTAssertEqual(error.code, .unauthenticated)
                    messages.append(error.message)
                }
            }
            XCTAssertEqual(Set(messages).count, 1)
        }
    }

    func testUnknownUserIsNotFound() async throws {
        try await withDataService { service in
            await assertRPCError(.notFound) { try await service.call(.getUser, GetUserRequest(username: "nobody")) }
            await assertRPCError(.invalidArgument, messageContains: "username") {
                try await service.call(.getUser, GetUserRequest(username: "bad/name"))
            }
        }
    }
}
