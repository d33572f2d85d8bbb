import Foundation
import MicropostsInMemoryData
import MicropostsModels
import RPC
import XCTest

/// Users, logins and the per-account throttle, as the real data service answers them.
final class InMemoryUserTests: XCTestCase {
    func testUsernamesAreUniqueIgnoringCaseButLookedUpExactly() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        expectEqual(try await server.register("Ana"), User(username: "Ana"))
        let taken = await server.error(.registerUser, RegisterUserRequest(username: "ana", password: "password123"))
        expectEqual(taken?.code, .alreadyExists)
        expectEqual(taken?.message, "username: already taken (usernames differing only in case count as the same)")
        expectEqual(try await server.call(.getUser, GetUserRequest(username: "Ana")), User(username: "Ana"))
        let other = await server.error(.getUser, GetUserRequest(username: "ana"))
        expectEqual(other?.code, .notFound)
        expectEqual(other?.message, "no user 'ana'")
    }

    func testRequestsAreValidatedFieldByField() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        let badName = await server.error(.registerUser, RegisterUserRequest(username: "a b", password: "password123"))
        expectEqual(badName?.code, .invalidArgument)
        XCTAssertTrue(badName?.message.hasPrefix("username:") ?? false)
        let shortPassword = await server.error(.registerUser, RegisterUserRequest(username: "ana", password: "short"))
        XCTAssertTrue(shortPassword?.message.hasPrefix("password:") ?? false)
        expectEqual(await server.error(.getUser, GetUserRequest(username: ""))?.code, .invalidArgument)
    }

    func testLoginChecksThePasswordAndNeverTellsWhichUsernamesExist() async throws {
        let server = try await InMemoryDataServer()
        defer { server.shutdown() }
        try await server.register("ana")
        let right = try await server.call(.logIn, VerifyCredentialsRequest(username: "ana", password: "password123"))
        expectEqual(right, .verified(User(username: "ana")))
        expectEqual(try await server.call(.logIn, VerifyCredentialsRequest(username: "ana", password: "password124")), .refused)
        expectEqual(try await server.call(.logIn, VerifyCredentialsRequest(username: "ANA", password: "password123")), .refused)
        expectEqual(try await server.call(.logIn, VerifyCredentialsRequest(username: "zed", password: "password123")), .refused)
        expectEqual(try await server.call(.logIn, VerifyCredentialsRequest(username: "not a name", password: "x")), .refused)

        expectEqual(
            try await server.call(.verifyCredentials, VerifyCredentialsRequest(username: "ana", password: "password123")),
            User(username: "ana"))
        let wrong = await server.error(.verifyCredentials, VerifyCredentialsRequest(username: "zed", password: "password123"))
        expectEqual(wrong?.code, .unauthenticated)
    }

    func testTheAccountThrottleCountsEveryAttemptInItsWindowAndASuccessClearsIt() async throws {
        let server = try await InMemoryDataServer(
            settings: InMemoryDataSettings(loginAttemptsPerAccount: 3, loginAccountWindow: .seconds(60)))
        defer { server.shutdown() }
        try await server.register("ana")
        let wrong = VerifyCredentialsRequest(username: "ana", password: "wrong-password")
        let right = VerifyCredentialsRequest(username: "ana", password: "password123")
        for _ in 0..<2 { expectEqual(try await server.call(.logIn, wrong), .refused) }
        expectEqual(try await server.call(.logIn, right), .verified(User(username: "ana")), "the third attempt is still allowed")
        for _ in 0..<3 { expectEqual(try await server.call(.logIn, wrong), .refused) }

        // Counted against the lowercased name, so another spelling shares the allowance.
        expectEqual(
            try await server.call(.logIn, VerifyCredentialsRequest(username: "ANA", password: "x")), .throttled(retryAfterSeconds: 60))
        server.advance(by: 45)
        expectEqual(try await server.call(.logIn, right), .throttled(retryAfterSeconds: 15))
        let throttled = await server.error(.verifyCredentials, right)
        expectEqual(throttled?.code, .resourceExhausted)
        server.advance(by: 15)
        expectEqual(try await server.call(.logIn, right), .verified(User(username: "ana")), "a new window starts when the last ends")

        // Unknown names are throttled exactly like existing ones.
        for _ in 0..<3 { expectEqual(try await server.call(.logIn, VerifyCredentialsRequest(username: "zed", password: "x")), .refused) }
        expectEqual(
            try await server.call(.logIn, VerifyCredentialsRequest(username: "zed", password: "x")).retryAfterSeconds, 60)
    }

    func testNoThrottleWhenItIsOff() async throws {
        let server = try await InMemoryDataServer(settings: InMemoryDataSettings(loginAttemptsPerAccount: 0))
        defer { server.shutdown() }
        try await server.register("ana")
        for _ in 0..<20 {
            expectEqual(try await server.call(.logIn, VerifyCredentialsRequest(username: "ana", password: "wrong-password")), .refused)
        }
        expectEqual(
            try await server.call(.logIn, VerifyCredentialsRequest(username: "ana", password: "password123")),
            .verified(User(username: "ana")))
    }
}
