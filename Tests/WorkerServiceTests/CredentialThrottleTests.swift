import AppServer
import Foundation
import MicropostsInMemoryData
import NIOConcurrencyHelpers
import RPC
import ServiceKit
import XCTest

@testable import WorkerService

/// Throttles of `POST /api/token` and `POST /api/users`: this worker's per-address ones, the
/// data service's per-account one as the worker answers it, and a saturated hashing pool.
final class CredentialThrottleTests: XCTestCase {
    private static func loginBody(_ username: String, _ password: String) -> String {
        #"{"grant_type":"client_credentials","client_id":"\#(username)","client_secret":"\#(password)"}"#
    }

    private func assertThrottled(_ response: TestResponse, retryAfterAtMost limit: Int, file: StaticString = #filePath, line: UInt = #line)
    {
        XCTAssertEqual(response.status, 429, response.text, file: file, line: line)
        XCTAssertEqual(response.errorCode, "rate_limited", file: file, line: line)
        XCTAssertNotNil(response.object["message"] as? String, file: file, line: line)
        let retryAfter = Int(response.header("Retry-After") ?? "")
        XCTAssertNotNil(retryAfter, "Retry-After missing", file: file, line: line)
        XCTAssertTrue((1...limit).contains(retryAfter ?? 0), "Retry-After \(String(describing: retryAfter))", file: file, line: line)
    }

    func testLoginAttemptsPerAddressAre429BeforeAnyDataCall() async throws {
        let harness = try await WorkerHarness(arguments: ["--login-attempts-per-address", "3"])
        defer { harness.shutdown() }
        await harness.register("ana")
        for _ in 0..<3 {
            assertStatus(400, await harness.send("POST", "/api/token", json: Self.loginBody("ana", "wrong-password")))
        }
        // Even the right password: the address has used its allowance (one per 20 s after a burst of 3).
        assertThrottled(await harness.send("POST", "/api/token", json: Self.loginBody("ana", "password123")), retryAfterAtMost: 20)
        XCTAssertEqual(harness.fake.calls(to: "users.logIn"), 3, "a throttled attempt must not reach the data service")

        // Other addresses have their own allowance; an IPv6 client has one per /64.
        assertStatus(
            200, await harness.send("POST", "/api/token", json: Self.loginBody("ana", "password123"), clientAddress: "198.51.100.7"))
        for address in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"] {
            assertStatus(400, await harness.send("POST", "/api/token", json: Self.loginBody("ana", "x-wrong-x"), clientAddress: address))
        }
        assertThrottled(
            await harness.send("POST", "/api/token", json: Self.loginBody("ana", "password123"), clientAddress: "2001:db8:1:2::4"),
            retryAfterAtMost: 20)
        assertStatus(
            200, await harness.send("POST", "/api/token", json: Self.loginBody("ana", "password123"), clientAddress: "2001:db8:1:3::1"))
        // Registration has its own limit, off in this harness.
        assertStatus(201, await harness.register("bob"))
    }

    func testRegistrationsPerAddressAre429() async throws {
        let harness = try await WorkerHarness(arguments: ["--registrations-per-address", "2"])
        defer { harness.shutdown() }
        assertStatus(201, await harness.register("ana"))
        assertStatus(409, await harness.register("ana"))
        assertThrottled(await harness.register("bob"), retryAfterAtMost: 30)
        XCTAssertEqual(harness.fake.calls(to: "users.register"), 2)
        assertStatus(
            201,
            await harness.send("POST", "/api/users", json: #"{"username":"bob","password":"password123"}"#, clientAddress: "198.51.100.7"))
    }

    func testAThrottledAccountIs429WithTheDataServicesWait() async throws {
        let harness = try await WorkerHarness(data: InMemoryDataSettings(loginAttemptsPerAccount: 1, loginAccountWindow: .seconds(42)))
        defer { harness.shutdown() }
        await harness.register("ana")
        assertStatus(400, await harness.send("POST", "/api/token", json: Self.loginBody("ana", "wrong-password")))
        // The account's one attempt is spent: even the right password waits for the window's end.
        let response = await harness.send("POST", "/api/token", json: Self.loginBody("ana", "password123"))
        assertThrottled(response, retryAfterAtMost: 42)
        XCTAssertEqual(response.header("Retry-After"), "42")
        XCTAssertTrue((response.object["message"] as? String ?? "").hasPrefix("client_id"), response.text)
    }

    func testSaturatedPasswordHashingIsAFast503() async throws {
        let harness = try await WorkerHarness()
        defer { harness.shutdown() }
        harness.fake.fail(
            "users.logIn", with: RPCError(.unavailable, "password hashing is saturated; try again shortly", wasProcessed: true))
        harness.fake.fail(
            "users.register", with: RPCError(.unavailable, "password hashing is saturated; try again shortly", wasProcessed: true))
        for response in [
            await harness.send("POST", "/api/token", json: Self.loginBody("ana", "password123")),
            await harness.register("ana"),
        ] {
            XCTAssertEqual(response.status, 503, response.text)
            XCTAssertEqual(response.header("Retry-After"), "1")
        }
    }

    func testTheDocumentDeclares429WithRetryAfterOnBothOperations() async throws {
        let harness = try await WorkerHarness()
        defer { harness.shutdown() }
        let document = harness.components.api.openAPIDocument(serverURL: "http://x")
        for (path, method) in [("/api/users", "post"), ("/api/token", "post")] {
            guard case .object(let paths)? = document["paths"], case .object(let item)? = paths[path],
                case .object(let operation)? = item[method], case .object(let responses)? = operation["responses"],
                case .object(let throttled)? = responses["429"], case .object(let headers)? = throttled["headers"]
            else { return XCTFail("\(method) \(path) has no 429 with headers") }
            XCTAssertNotNil(headers["Retry-After"], "\(method) \(path)")
        }
    }

    func testSettings() throws {
        var defaults = ConfigReader(arguments: [], environment: [:])
        let configuration = WorkerService.configure(&defaults)
        XCTAssertNoThrow(try defaults.finish())
        XCTAssertEqual(configuration.loginAttemptsPerAddress, 20)
        XCTAssertEqual(configuration.registrationsPerAddress, 5)
        XCTAssertEqual(configuration.throttleMaximumAddresses, 100_000)
        var fromEnvironment = ConfigReader(
            arguments: [],
            environment: ["LOGIN_ATTEMPTS_PER_ADDRESS": "0", "REGISTRATIONS_PER_ADDRESS": "7", "THROTTLE_MAX_ADDRESSES": "9"])
        let configured = WorkerService.configure(&fromEnvironment)
        XCTAssertNoThrow(try fromEnvironment.finish())
        XCTAssertEqual(
            [configured.loginAttemptsPerAddress, configured.registrationsPerAddress, configured.throttleMaximumAddresses], [0, 7, 9])
        var negative = ConfigReader(arguments: ["--login-attempts-per-address", "-1"], environment: [:])
        _ = WorkerService.configure(&negative)
        XCTAssertThrowsError(try negative.finish())
    }
}

/// ``AddressThrottle`` on an injected clock.
