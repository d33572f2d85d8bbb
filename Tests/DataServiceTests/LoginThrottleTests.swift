import MicropostsModels
import PostgresData
import PostgresNIO
import RPC
import ServiceKit
import XCTest

@testable import DataService

/// `users.logIn`: failed attempts counted per account in the database, shared by every data
/// instance, alike for existing and unknown names.
final class LoginThrottleTests: XCTestCase {
    private static func throttle(_ attempts: Int, window: Duration = .seconds(60)) -> (inout DataServiceConfiguration) -> Void {
        { $0.loginThrottle = LoginThrottleSettings(maximumAttempts: attempts, window: window) }
    }

    private func logIn(_ service: DataServiceHarness, _ username: String, _ password: String) async throws -> LogInOutcome {
        try await service.call(.logIn, VerifyCredentialsRequest(username: username, password: password))
    }

    func testFailedLoginsAreThrottledPerAccountInAnySpellingAndForUnknownNames() async throws {
        try await withDataService(configure: Self.throttle(3)) { service in
            try await service.register("ana", "bob")
            for _ in 0..<3 {
                assertEqual(try await logIn(service, "ana", "wrong password"), .refused)
                assertEqual(try await logIn(service, "zed", "wrong password"), .refused)
            }
            // Over the allowance: refused unchecked, even with the right password, in any spelling.
            for (username, password) in [("ana", "password123"), ("ANA", "password123"), ("zed", "password123"), ("Zed", "x")] {
                let outcome = try await logIn(service, username, password)
                XCTAssertNil(outcome.user, username)
                XCTAssertTrue((1...60).contains(outcome.retryAfterSeconds ?? 0), "\(username): \(outcome)")
            }
            // Other accounts are untouched.
            assertEqual(try await logIn(service, "bob", "password123"), .verified(User(username: "bob")))
            // The previous release's method shares the throttle, as an error its workers understand.
            await assertRPCError(.resourceExhausted, messageContains: "too many failed logins") {
                try await service.call(.verifyCredentials, VerifyCredentialsRequest(username: "ana", password: "password123"))
            }
            let rows = try await service.withDirectClient { client in
                try await client.query("SELECT account, attempts FROM login_attempts ORDER BY account").collect()
                    .map { try $0.decode((String, Int).self) }
            }
            XCTAssertEqual(rows.map(\.0), ["ana", "zed"], "keyed by the lowercased name; a success leaves none")
        }
    }

    /// Two data instances on one database: the allowance is the account's, not each instance's.
    func testTheCountIsSharedByEveryDataInstance() async throws {
        try await withDataService(configure: Self.throttle(4)) { first in
            try await first.register("ana")
            let second = try await DataServiceHarness.start(database: first.databaseName, configure: Self.throttle(4))
            do {
                for service in [first, second, first, second] {
                    assertEqual(try await logIn(service, "ana", "wrong password"), .refused)
                }
                for service in [first, second] {
                    let outcome = try await logIn(service, "ana", "password123")
                    XCTAssertNotNil(outcome.retryAfterSeconds)
                }
            } catch {
                await second.stop()
                throw error
            }
            await second.stop()
        }
    }

    func testASuccessfulLoginClearsTheCount() async throws {
        try await withDataService(configure: Self.throttle(3)) { service in
            try await service.register("ana")
            for _ in 0..<2 { assertEqual(try await logIn(service, "ana", "wrong password"), .refused) }
            assertEqual(try await logIn(service, "ana", "password123"), .verified(User(username: "ana")))
            for _ in 0..<3 { assertEqual(try await logIn(service, "ana", "wrong password"), .refused) }
            let outcome = try await logIn(service, "ana", "password123")
            XCTAssertNotNil(outcome.retryAfterSeconds)
        }
    }

    func testTheThrottleLiftsWhenItsWindowEndsAndCleanupDeletesEndedWindows() async throws {
        try await withDataService(configure: Self.throttle(2, window: .seconds(1))) { service in
            try await service.register("ana")
            for _ in 0..<2 { assertEqual(try await logIn(service, "ana", "wrong password"), .refused) }
            assertEqual(try await logIn(service, "ana", "password123").retryAfterSeconds, 1)
            assertEqual(try await logIn(service, "zed", "wrong password"), .refused)
            try await Task.sleep(for: .milliseconds(1_100))
            assertEqual(try await logIn(service, "ana", "password123"), .verified(User(username: "ana")))
            let deleted = try await service.components.cleanup.loginAttempts.deleteExpired(DatabaseCall(deadline: nil, logger: quietLogger))
            XCTAssertEqual(deleted, 1, "zed's ended window")
        }
    }

    func testOffMeansNoCounting() async throws {
        try await withDataService(configure: Self.throttle(0)) { service in
            try await service.register("ana")
            for _ in 0..<20 { assertEqual(try await logIn(service, "ana", "wrong password"), .refused) }
            assertEqual(try await logIn(service, "ana", "password123"), .verified(User(username: "ana")))
            let rows = try await service.withDirectClient { try await $0.scalar("SELECT count(*) FROM login_attempts", as: Int.self) }
            XCTAssertEqual(rows, 0)
        }
    }

    func testSettings() throws {
        var reader = ConfigReader(arguments: [], environment: [:])
        let defaults = DataServiceConfiguration.read(from: &reader, environment: [:])
        XCTAssertNoThrow(try reader.finish())
        XCTAssertEqual(defaults.loginThrottle, LoginThrottleSettings(maximumAttempts: 10, window: .seconds(900)))
        XCTAssertEqual(defaults.passwordHashConcurrency, 2)
        XCTAssertEqual(defaults.passwordHashQueue, 32)
        var configured = ConfigReader(
            arguments: ["--login-attempts-per-account", "5", "--login-account-window", "2m", "--password-hash-concurrency", "3"],
            environment: ["PASSWORD_HASH_QUEUE": "0"])
        let read = DataServiceConfiguration.read(from: &configured, environment: [:])
        XCTAssertNoThrow(try configured.finish())
        XCTAssertEqual(read.loginThrottle, LoginThrottleSettings(maximumAttempts: 5, window: .seconds(120)))
        XCTAssertEqual([read.passwordHashConcurrency, read.passwordHashQueue], [3, 0])
        for arguments in [
            ["--login-account-window", "0s"], ["--password-hash-concurrency", "0"], ["--login-attempts-per-account", "-1"],
        ] {
            var bad = ConfigReader(arguments: arguments, environment: [:])
            _ = DataServiceConfiguration.read(from: &bad, environment: [:])
            XCTAssertThrowsError(try bad.finish(), "\(arguments)")
        }
    }
}
