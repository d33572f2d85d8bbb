import Foundation
import ServiceTestSupport
import XCTest

/// Accounts and tokens through real worker processes, the real data service and PostgreSQL:
/// the per-account login throttle counted across workers, case-insensitive usernames, and a
/// logout that holds for as long as any worker would accept the token.
final class AccountSecurityEndToEndTests: XCTestCase {
    private static func loginBody(_ username: String, _ password: String) -> String {
        #"{"grant_type":"client_credentials","client_id":"\#(username)","client_secret":"\#(password)"}"#
    }

    func testFailedLoginsAreCountedPerAccountAcrossWorkersAlikeForUnknownNames() async throws {
        let system = try await RunningSystem(workerCount: 2, dataArguments: ["--login-attempts-per-account", "4"])
        assertStatus(201, try await system.register("ana"))
        for username in ["ana", "zed"] {
            for attempt in 0..<4 {
                let reply = try await system.request(
                    "POST", "/api/token", json: Self.loginBody(username, "wrong-password"), worker: attempt % 2)
                XCTAssertEqual(reply.status, 400, "\(username) attempt \(attempt): \(reply.text)")
                XCTAssertEqual(reply.errorCode, "invalid_grant")
            }
            for worker in 0..<2 {
                let reply = try await system.request("POST", "/api/token", json: Self.loginBody(username, "password123"), worker: worker)
                XCTAssertEqual(reply.status, 429, "\(username) on worker \(worker): \(reply.text)")
                XCTAssertEqual(reply.errorCode, "rate_limited")
                let retryAfter = try XCTUnwrap(Int(reply.header("Retry-After") ?? ""), reply.text)
                XCTAssertTrue((1...900).contains(retryAfter), "\(retryAfter)")
            }
        }
        let metrics = try await httpGet(port: system.data.adminPort, path: "/metrics")
        XCTAssertTrue(metrics.body.contains(#"auth_throttled_total{action="login",scope="account"} 4"#), metrics.body)
        try await system.stop()
    }

    func testRegistrationsPerAddressAreLimitedInEachWorkerAndCounted() async throws {
        let system = try await RunningSystem(workerArguments: ["--registrations-per-address", "1"])
        assertStatus(201, try await system.register("ana"))
        let refused = try await system.register("bob")
        XCTAssertEqual(refused.status, 429, refused.text)
        XCTAssertEqual(refused.errorCode, "rate_limited")
        XCTAssertTrue((50...60).contains(Int(refused.header("Retry-After") ?? "") ?? 0), refused.header("Retry-After") ?? "no Retry-After")
        let metrics = try await httpGet(port: system.workers[0].adminPort, path: "/metrics")
        XCTAssertTrue(metrics.body.contains(#"auth_throttled_total{action="register",scope="address"} 1"#), metrics.body)
        try await system.stop()
    }

    func testUsernamesDifferingOnlyInCaseAreOneName() async throws {
        let system = try await RunningSystem()
        let token = try await system.user("Ana")
        let taken = try await system.request("POST", "/api/users", json: #"{"username":"ana","password":"password123"}"#)
        XCTAssertEqual(taken.status, 409, taken.text)
        XCTAssertEqual(taken.errorCode, "conflict")
        let user = try await system.request("GET", "/api/users/Ana", token: token)
        XCTAssertEqual(user.object["username"] as? String, "Ana")
        assertStatus(404, try await system.request("GET", "/api/users/ana", token: token))
        try await system.stop()
    }

    /// A token is accepted until its `exp` plus the workers' 5 s clock leeway. Logged out, it
    /// must stay refused through that leeway on every worker — including one that never saw
    /// the logout and asks the data service.
    func testALoggedOutTokenStaysRefusedThroughTheLeewayAfterItsExpiry() async throws {
        let system = try await RunningSystem(workerCount: 2, workerArguments: ["--token-lifetime", "1s"])
        assertStatus(201, try await system.register("ana"))
        let token = try await system.login("ana")
        let expiry = try Self.expiry(of: token)
        assertStatus(204, try await system.request("DELETE", "/api/token", token: token, worker: 0))

        // Past the expiry, well inside the leeway.
        let wait = expiry.addingTimeInterval(1.5).timeIntervalSinceNow
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        for worker in [1, 0] {
            let reply = try await system.request("GET", "/api/users/ana", token: token, worker: worker)
            XCTAssertEqual(reply.status, 401, "worker \(worker): \(reply.text)")
            XCTAssertEqual(reply.object["message"] as? String, "The access token has been revoked.", "worker \(worker)")
        }
        XCTAssertLessThan(Date(), expiry.addingTimeInterval(5), "the checks must run inside the leeway to mean anything")
        try await system.stop()
    }

    private static func expiry(of token: String) throws -> Date {
        let parts = token.split(separator: ".")
        XCTAssertEqual(parts.count, 3)
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
        let data = try XCTUnwrap(Data(base64Encoded: payload))
        let claims = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let exp = try XCTUnwrap(claims["exp"] as? Int)
        return Date(timeIntervalSince1970: TimeInterval(exp))
    }
}
