import Foundation
import ServiceTestSupport
import XCTest

/// The API through real worker processes (plain HTTP) against the real data service and
/// PostgreSQL: each endpoint's success and error codes, ownership, pagination, revocation
/// seen by a second worker, search. ``InMemoryAPIEndToEndTests`` runs the same tests against
/// `data --in-memory`.
class APIEndToEndTests: XCTestCase {
    /// Where the data service of every test here keeps its data.
    class var store: RunningSystem.DataStore { .postgres }
    func testUsersTokensAndMicropostsWithOwnership() async throws {
        let system = try await RunningSystem(store: Self.store)
        let ana = try await system.user("ana")
        let bob = try await system.user("bob")
        let port = system.workerHTTPPorts[0]

        let taken = try await system.register("ana")
        XCTAssertEqual(taken.status, 409)
        assertStatus(400, try await system.request("POST", "/api/users", json: #"{"username":"x y","password":"password123"}"#))
        let badLogin = try await system.request(
            "POST", "/api/token", json: #"{"grant_type":"client_credentials","client_id":"ana","client_secret":"wrong-password"}"#)
        XCTAssertEqual(badLogin.status, 400)
        XCTAssertEqual(badLogin.errorCode, "invalid_grant")

        let user = try await system.request("GET", "/api/users/ana", token: bob)
        XCTAssertEqual(user.status, 200)
        XCTAssertEqual(user.object["collection"] as? String, "http://127.0.0.1:\(port)/api/users/ana/collection")
        let etag = try XCTUnwrap(user.header("ETag"))
        assertStatus(304, try await system.request("GET", "/api/users/ana", token: bob, headers: ["If-None-Match": etag]))
        assertStatus(404, try await system.request("GET", "/api/users/zed", token: bob))
        let anonymous = try await system.request("GET", "/api/users/ana")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertNotNil(anonymous.header("WWW-Authenticate"))

        let created = try await system.request(
            "POST", "/api/users/ana/collection", json: #"{"text":"héllo wörld","referenced":"bob"}"#, token: ana)
        XCTAssertEqual(created.status, 201, created.text)
        let href = try XCTUnwrap(created.object["href"] as? String)
        XCTAssertEqual(created.header("Location"), href)
        let path = try XCTUnwrap(URL(string: href)?.path)
        assertStatus(403, try await system.request("POST", "/api/users/bob/collection", json: #"{"text":"x"}"#, token: ana))
        assertStatus(
            400, try await system.request("POST", "/api/users/ana/collection", json: #"{"text":"x","referenced":"zed"}"#, token: ana))
        assertStatus(400, try await system.request("POST", "/api/users/ana/collection", json: #"{"text":""}"#, token: ana))
        let tooLong = String(repeating: "é", count: 256)
        assertStatus(400, try await system.request("POST", "/api/users/ana/collection", json: #"{"text":"\#(tooLong)"}"#, token: ana))

        let got = try await system.request("GET", path, token: bob)
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(got.object["text"] as? String, "héllo wörld")
        assertStatus(403, try await system.request("PUT", path, json: #"{"text":"mine now"}"#, token: bob))
        assertStatus(403, try await system.request("PATCH", path, json: #"{"text":"mine now"}"#, token: bob))
        assertStatus(403, try await system.request("DELETE", path, token: bob))
        let patched = try await system.request("PATCH", path, json: #"{"referenced":null}"#, token: ana)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertTrue(patched.object["referenced"] is NSNull)
        let replaced = try await system.request("PUT", path, json: #"{"text":"replaced","referenced":"bob"}"#, token: ana)
        XCTAssertEqual(replaced.object["referenced"] as? String, "bob")
        assertStatus(204, try await system.request("DELETE", path, token: ana))
        assertStatus(404, try await system.request("GET", path, token: ana))

        assertStatus(405, try await system.request("PUT", "/api/users"))
        assertStatus(404, try await system.request("GET", "/api/nowhere"))

        // Each operation's requests, by its documented template (the 304 counts as 3xx).
        let metrics = try await httpGet(port: system.workers[0].adminPort, path: "/metrics").body
        for series in [
            #"http_server_requests_total{route="/api/users/{username}",method="GET",status="2xx"} 1"#,
            #"http_server_requests_total{route="/api/users/{username}",method="GET",status="3xx"} 1"#,
            #"http_server_requests_total{route="/api/users/{username}/collection/{id}",method="DELETE",status="2xx"} 1"#,
            #"http_server_requests_total{route="unmatched",method="any",status="4xx"} 2"#,
            #"http_server_request_duration_seconds_count{route="/api/users/{username}/collection",method="POST"} 5"#,
        ] {
            XCTAssertTrue(metrics.contains(series), "worker /metrics lacks \(series)")
        }
        try await system.stop()
    }

    func testPagination() async throws {
        let system = try await RunningSystem(store: Self.store)
        let ana = try await system.user("ana")
        for number in 1...5 {
            assertStatus(
                201, try await system.request("POST", "/api/users/ana/collection", json: #"{"text":"post \#(number)"}"#, token: ana))
        }
        let base = "http://127.0.0.1:\(system.workerHTTPPorts[0])/api/users/ana/collection"
        let first = try await system.request("GET", "/api/users/ana/collection?size=2", token: ana)
        XCTAssertEqual(first.result.map { $0["text"] as? String }, ["post 5", "post 4"])
        XCTAssertEqual(first.object["next"] as? String, "\(base)?size=2&page=2")
        XCTAssertTrue(first.object["previous"] is NSNull)
        let middle = try await system.request("GET", "/api/users/ana/collection?size=2&page=2", token: ana)
        XCTAssertEqual(middle.result.map { $0["text"] as? String }, ["post 3", "post 2"])
        XCTAssertEqual(middle.object["previous"] as? String, "\(base)?size=2&page=1")
        let last = try await system.request("GET", "/api/users/ana/collection?size=2&page=3", token: ana)
        XCTAssertEqual(last.result.map { $0["text"] as? String }, ["post 1"])
        XCTAssertTrue(last.object["next"] is NSNull)
        let beyond = try await system.request("GET", "/api/users/ana/collection?size=2&page=4", token: ana)
        XCTAssertEqual(beyond.status, 200)
        XCTAssertEqual(beyond.result.count, 0)
        for query in ["page=0", "size=0", "size=101", "page=a"] {
            assertStatus(400, try await system.request("GET", "/api/users/ana/collection?\(query)", token: ana), query)
        }
        try await system.stop()
    }

    func testFollowTimelineAndSearch() async throws {
        let system = try await RunningSystem(store: Self.store)
        let ana = try await system.user("ana")
        let bob = try await system.user("bob")
        assertStatus(
            201, try await system.request("POST", "/api/users/bob/collection", json: #"{"text":"Searching for Swift"}"#, token: bob))
        assertStatus(201, try await system.request("POST", "/api/users/ana/collection", json: #"{"text":"swift is fun"}"#, token: ana))

        assertStatus(201, try await system.request("POST", "/api/users/ana/following", json: #"{"username":"bob"}"#, token: ana))
        assertStatus(200, try await system.request("POST", "/api/users/ana/following", json: #"{"username":"bob"}"#, token: ana))
        assertStatus(400, try await system.request("POST", "/api/users/ana/following", json: #"{"username":"ana"}"#, token: ana))
        assertStatus(400, try await system.request("POST", "/api/users/ana/following", json: #"{"username":"zed"}"#, token: ana))
        assertStatus(403, try await system.request("POST", "/api/users/bob/following", json: #"{"username":"ana"}"#, token: ana))
        let following = try await system.request("GET", "/api/users/ana/following", token: bob)
        XCTAssertEqual(following.result.map { $0["username"] as? String }, ["bob"])
        let followers = try await system.request("GET", "/api/users/bob/followers", token: bob)
        XCTAssertEqual(followers.result.map { $0["username"] as? String }, ["ana"])
        let timeline = try await system.request("GET", "/api/users/ana/timeline", token: ana)
        XCTAssertEqual(timeline.result.map { $0["text"] as? String }, ["Searching for Swift"])

        let search = try await system.request("GET", "/api/search?text=SWIFT", token: ana)
        XCTAssertEqual(search.status, 200, search.text)
        XCTAssertEqual(search.result.count, 2)
        let byBob = try await system.request("GET", "/api/search?text=swift&username=bo", token: ana)
        XCTAssertEqual(byBob.result.map { $0["user"] as? String }, ["bob"])
        assertStatus(400, try await system.request("GET", "/api/search?text=sw", token: ana))

        assertStatus(403, try await system.request("DELETE", "/api/users/ana/following/bob", token: bob))
        assertStatus(204, try await system.request("DELETE", "/api/users/ana/following/bob", token: ana))
        assertStatus(404, try await system.request("DELETE", "/api/users/ana/following/bob", token: ana))
        try await system.stop()
    }

    func testLogoutIsSeenByASecondWorkerWithinOneSecond() async throws {
        let system = try await RunningSystem(workerCount: 2, store: Self.store)
        let token = try await system.user("ana")
        assertStatus(200, try await system.request("GET", "/api/users/ana", token: token, worker: 1))
        assertStatus(204, try await system.request("DELETE", "/api/token", token: token, worker: 0))
        assertStatus(401, try await system.request("GET", "/api/users/ana", token: token, worker: 0))
        try await Task.sleep(for: .milliseconds(1050))
        let refused = try await system.request("GET", "/api/users/ana", token: token, worker: 1)
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.errorCode, "invalid_token")
        try await system.stop()
    }
}
