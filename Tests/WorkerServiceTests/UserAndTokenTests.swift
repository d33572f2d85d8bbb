import AppServer
import AppServerProtocol
import MicropostsModels
import NIOCore
import RPC
import XCTest

/// `POST /api/users`, `GET /api/users/{username}`, `POST` and `DELETE /api/token`.
final class UserAndTokenTests: XCTestCase {
    var harness: WorkerHarness!

    override func setUp() async throws { harness = try await WorkerHarness() }
    override func tearDown() async throws { harness.shutdown() }

    func testRegisterAnswers201WithAbsoluteLinksFromTheEnvelopesOrigin() async {
        let response = await harness.send(
            "POST", "/api/users", json: #"{"username":"ana","password":"password123"}"#, host: "micro.example", port: 8443)
        XCTAssertEqual(response.status, 201, response.text)
        XCTAssertEqual(response.header("Location"), "https://micro.example:8443/api/users/ana")
        XCTAssertEqual(response.object["username"] as? String, "ana")
        XCTAssertEqual(response.object["collection"] as? String, "https://micro.example:8443/api/users/ana/collection")
        XCTAssertEqual(response.header("Content-Type"), "application/json; charset=utf-8")
    }

    func testRegisterRefusesTakenAndInvalidInput() async {
        await harness.register("ana")
        let taken = await harness.register("ana")
        XCTAssertEqual(taken.status, 409)
        XCTAssertEqual(taken.errorCode, "conflict")

        let cases: [(String, String)] = [
            (#"{"password":"password123"}"#, "username"),
            (#"{"username":"","password":"password123"}"#, "username"),
            (#"{"username":"a b","password":"password123"}"#, "username"),
            (#"{"username":"\#(String(repeating: "a", count: 51))","password":"password123"}"#, "username"),
            (#"{"username":5,"password":"password123"}"#, "username"),
            (#"{"username":"bob","password":"short"}"#, "password"),
            (#"{"username":"bob","password":"password123","admin":true}"#, "admin"),
            (#"["bob"]"#, "request body"),
            (#"{"username":"bob""#, "request body"),
        ]
        for (body, field) in cases {
            let response = await harness.send("POST", "/api/users", json: body)
            XCTAssertEqual(response.status, 400, body)
            XCTAssertEqual(response.errorCode, "invalid_request", body)
            XCTAssertTrue((response.object["message"] as? String ?? "").hasPrefix(field), "\(body): \(response.text)")
        }
    }

    func testNonJSONBodiesAre415() async {
        for contentType in ["text/plain", "application/xml", "application/json; charset=latin1"] {
            let response = await harness.send(
                "POST", "/api/users", json: #"{"username":"ana","password":"password123"}"#, headers: [("Content-Type", contentType)])
            XCTAssertEqual(response.status, 415, contentType)
            XCTAssertEqual(response.errorCode, "unsupported_media_type")
        }
        let missing = await harness.send("POST", "/api/users", body: Array("{}".utf8))
        XCTAssertEqual(missing.status, 415)
    }

    func testOversizeBodyIs413() async {
        let big = #"{"username":"ana","password":""# + String(repeating: "x", count: 70_000) + #""}"#
        let response = await harness.send("POST", "/api/users", json: big)
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.errorCode, "payload_too_large")
    }

    /// The edge forwards bodies up to `--max-body-size`, whose default and ceiling is this same
    /// constant: a body the edge lets through is never refused here for its size.
    func testTheBodyLimitIsTheOneTheEdgeUses() async {
        let limit = HTTPEnvelopeRequest.maximumBodySize
        func body(size: Int) -> String {
            let prefix = #"{"username":"ana","password":""#
            let suffix = #""}"#
            return prefix + String(repeating: "x", count: size - prefix.utf8.count - suffix.utf8.count) + suffix
        }
        let atLimit = await harness.send("POST", "/api/users", json: body(size: limit))
        XCTAssertNotEqual(atLimit.status, 413, atLimit.text)
        let over = await harness.send("POST", "/api/users", json: body(size: limit + 1))
        XCTAssertEqual(over.status, 413)
        XCTAssertEqual(over.errorCode, "payload_too_large")
    }

    func testLoginWithJSONAndFormIssuesABearerJWT() async throws {
        await harness.register("ana")
        let json = await harness.send(
            "POST", "/api/token", json: #"{"grant_type":"client_credentials","client_id":"ana","client_secret":"password123"}"#)
        XCTAssertEqual(json.status, 200, json.text)
        XCTAssertEqual(json.object["token_type"] as? String, "bearer")
        XCTAssertEqual(json.object["expires_in"] as? Int, 86_400)
        XCTAssertEqual((json.object["access_token"] as? String)?.split(separator: ".").count, 3)
        XCTAssertEqual(json.header("Cache-Control"), "no-store")

        let form = await harness.send(
            "POST", "/api/token", body: Array("grant_type=client_credentials&client_id=ana&client_secret=password123&scope=x".utf8),
            headers: [("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(form.status, 200, form.text)
        XCTAssertNotEqual(form.object["access_token"] as? String, json.object["access_token"] as? String)
    }

    func testLoginRefusals() async {
        await harness.register("ana")
        let wrong = await harness.send(
            "POST", "/api/token", json: #"{"grant_type":"client_credentials","client_id":"ana","client_secret":"nope-nope"}"#)
        XCTAssertEqual(wrong.status, 400)
        XCTAssertEqual(wrong.errorCode, "invalid_grant")
        let unknown = await harness.send(
            "POST", "/api/token", json: #"{"grant_type":"client_credentials","client_id":"zed","client_secret":"password123"}"#)
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(unknown.errorCode, "invalid_grant")
        let grant = await harness.send(
            "POST", "/api/token", json: #"{"grant_type":"password","client_id":"ana","client_secret":"password123"}"#)
        XCTAssertEqual(grant.status, 400)
        XCTAssertEqual(grant.errorCode, "unsupported_grant_type")
        let missing = await harness.send("POST", "/api/token", json: #"{"grant_type":"client_credentials","client_id":"ana"}"#)
        XCTAssertEqual(missing.status, 400)
        XCTAssertTrue(missing.text.contains("client_secret"), missing.text)
        let textual = await harness.send("POST", "/api/token", body: Array("x".utf8), headers: [("Content-Type", "text/plain")])
        XCTAssertEqual(textual.status, 415)
    }

    func testGetUserWithETagAnd304() async throws {
        let token = try await harness.user("ana")
        let response = await harness.send("GET", "/api/users/ana", token: token)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.object["collection"] as? String, "https://api.example.com/api/users/ana/collection")
        let etag = try XCTUnwrap(response.header("ETag"))
        let again = await harness.send("GET", "/api/users/ana", token: token, headers: [("If-None-Match", "\"other\", \(etag)")])
        XCTAssertEqual(again.status, 304)
        XCTAssertEqual(again.body, [])
        XCTAssertEqual(again.header("ETag"), etag)
        let changed = await harness.send("GET", "/api/users/ana", token: token, headers: [("If-None-Match", "\"other\"")])
        XCTAssertEqual(changed.status, 200)

        let missing = await harness.send("GET", "/api/users/nobody", token: token)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.errorCode, "not_found")
        let invalid = await harness.send("GET", "/api/users/no%20body", token: token)
        XCTAssertEqual(invalid.status, 400, "not a username at all: the path parameter's type refuses it")
    }

    func testLogoutRevokesTheToken() async throws {
        let token = try await harness.user("ana")
        let logout = await harness.send("DELETE", "/api/token", token: token)
        XCTAssertEqual(logout.status, 204)
        let again = await harness.send("GET", "/api/users/ana", token: token)
        XCTAssertEqual(again.status, 401)
        XCTAssertEqual(again.errorCode, "invalid_token")
        XCTAssertTrue(again.header("WWW-Authenticate")?.hasPrefix("Bearer") ?? false)
    }

    func testRequestIDAndDeadlineArePassedToTheDataService() async throws {
        _ = await harness.send(
            "POST", "/api/users", json: #"{"username":"ana","password":"password123"}"#,
            metadata: ["request-id": "abc-123", "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"])
        let call = try XCTUnwrap(harness.fake.lastCall)
        XCTAssertEqual(call.method, "users.register")
        XCTAssertEqual(call.metadata.requestID, "abc-123")
        XCTAssertEqual(call.metadata.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        XCTAssertTrue(call.hasDeadline)

        let expired = await harness.send(
            "POST", "/api/users", json: #"{"username":"bob","password":"password123"}"#, deadline: .uptimeNanoseconds(1))
        XCTAssertEqual(expired.status, 504)
    }
}
