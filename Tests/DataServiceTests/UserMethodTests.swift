@testable import DataService
import MicropostsModels
import PostgresNIO
import RPC
import XCTest

final class UserMethodTests: XCTestCase {
    func testRegisterGetAndVerify() async throws {
        try await withDataService { service in
            let user = try await service.call(.registerUser, RegisterUserRequest(username: "ana.b-c_1", password: "correct horse"))
            XCTAssertEqual(user, User(username: "ana.b-c_1"))
            let fetched = try await service.call(.getUser, GetUserRequest(username: "ana.b-c_1"))
            XCTAssertEqual(fetched, user)
            let verified = try await service.call(.verifyCredentials, VerifyCredentialsRequest(username: "ana.b-c_1", password: "correct horse"))
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
            _ = try await service.call(.registerUser, RegisterUserRequest(username: String(repeating: "a", count: 50), password: "12345678"))
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
