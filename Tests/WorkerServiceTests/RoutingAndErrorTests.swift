import AppServer
import Logging
import NIOCore
import RPC
import XCTest

@testable import WorkerService

/// 404/405 from the route table, data-service errors mapped to HTTP, malformed envelopes.
final class RoutingAndErrorTests: XCTestCase {
    var harness: WorkerHarness!

    override func setUp() async throws { harness = try await WorkerHarness() }
    override func tearDown() async throws { harness.shutdown() }

    func testUnknownPathIs404JSONAndWrongMethodIs405WithAllow() async {
        let unknown = await harness.send("GET", "/api/nothing")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.errorCode, "not_found")
        XCTAssertEqual(unknown.header("Content-Type"), "application/json; charset=utf-8")

        let wrong = await harness.send("PUT", "/api/users")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.errorCode, "method_not_allowed")
        XCTAssertEqual(wrong.header("Allow"), "POST")
        let token = await harness.send("GET", "/api/token")
        XCTAssertEqual(token.header("Allow"), "POST, DELETE")
        let post = await harness.send("POST", "/api/users/ana/collection/5")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.header("Allow"), "GET, PUT, PATCH, DELETE")
    }

    /// Behind the edge a request's deadline is the edge's (30 s by default); `--data-timeout`
    /// still bounds each data call, so a stuck data service is a quick 504 from the worker.
    func testDataTimeoutBoundsCallsEvenWhenTheRequestAllowsMore() async throws {
        let short = try await WorkerHarness(arguments: ["--data-timeout", "300ms"])
        defer { short.shutdown() }
        let token = try await short.user("ana")
        short.fake.delay("users.get", by: .seconds(5))
        let started = ContinuousClock.now
        let response = await short.send("GET", "/api/users/ana", token: token, deadline: NIODeadline.now() + .seconds(30))
        XCTAssertEqual(response.status, 504, response.text)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
    }

    func testDataServiceErrorsMapToHTTP() async throws {
        let token = try await harness.user("ana")
        let cases: [(RPCError, Int, String)] = [
            (RPCError(.unavailable, "db down"), 503, "unavailable"),
            (RPCError(.deadlineExceeded, "slow"), 504, "timeout"),
            (RPCError(.internal, "secret detail"), 500, "internal_error"),
            (RPCError(.failedPrecondition, "secret detail"), 500, "internal_error"),
            (RPCError(.permissionDenied, "no"), 403, "forbidden"),
            (RPCError(.invalidArgument, "username: bad"), 400, "invalid_request"),
            (RPCError(.alreadyExists, "dup"), 409, "conflict"),
            (RPCError(.notFound, "gone"), 404, "not_found"),
        ]
        for (error, status, code) in cases {
            harness.fake.fail("users.get", with: error)
            let response = await harness.send("GET", "/api/users/ana", token: token)
            XCTAssertEqual(response.status, status, "\(error)")
            XCTAssertEqual(response.errorCode, code, "\(error)")
            XCTAssertFalse(response.text.contains("secret detail"))
            if status == 503 { XCTAssertEqual(response.header("Retry-After"), "1") }
        }
    }

    func testMalformedEnvelopesAre400() async {
        let badHost = await harness.send("GET", "/api/openapi.json", host: "evil.com/x@")
        XCTAssertEqual(badHost.status, 400)
        let badMethod = await harness.send("G ET", "/api/openapi.json")
        XCTAssertEqual(badMethod.status, 400)
    }

    func testPlainHTTPDefaultPortIsLeftOutOfLinks() async {
        let response = await harness.send(
            "POST", "/api/users", json: #"{"username":"ana","password":"password123"}"#, host: "localhost", port: 80, scheme: "http")
        XCTAssertEqual(response.header("Location"), "http://localhost/api/users/ana")
        let v6 = await harness.send(
            "POST", "/api/users", json: #"{"username":"bob","password":"password123"}"#, host: "::1", port: 8080, scheme: "http")
        XCTAssertEqual(v6.header("Location"), "http://[::1]:8080/api/users/bob")
    }
}
