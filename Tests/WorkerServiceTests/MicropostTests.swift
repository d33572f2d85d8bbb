import AppServer
import XCTest

/// The collection, single microposts (GET/PUT/PATCH/DELETE), ownership, pagination, timeline.
final class MicropostTests: XCTestCase {
    var harness: WorkerHarness!

    override func setUp() async throws { harness = try await WorkerHarness() }
    override func tearDown() async throws { harness.shutdown() }

    func testCreateAnswers201WithLocationETagAndTheMicropostShape() async throws {
        let ana = try await harness.user("ana")
        await harness.register("bob")
        let response = await harness.send("POST", "/api/users/ana/collection", json: #"{"text":"hi @bob","referenced":"bob"}"#, token: ana)
        XCTAssertEqual(response.status, 201, response.text)
        let href = try XCTUnwrap(response.object["href"] as? String)
        XCTAssertEqual(href, "https://api.example.com/api/users/ana/collection/1")
        XCTAssertEqual(response.header("Location"), href)
        XCTAssertNotNil(response.header("ETag"))
        XCTAssertEqual(response.object["id"] as? Int, 1)
        XCTAssertEqual(response.object["user"] as? String, "ana")
        XCTAssertEqual(response.object["text"] as? String, "hi @bob")
        XCTAssertEqual(response.object["referenced"] as? String, "bob")
        let timestamp = try XCTUnwrap(response.object["timestamp"] as? String)
        XCTAssertTrue(timestamp.hasSuffix("Z") && timestamp.contains("T"), timestamp)

        let plain = await harness.post(ana, as: "ana", "no reference")
        XCTAssertTrue(plain.text.contains(#""referenced":null"#), plain.text)
    }

    func testTextLengthCountsCodePoints() async throws {
        let ana = try await harness.user("ana")
        let emoji255 = String(repeating: "😀", count: 255)
        assertStatus(201, await harness.post(ana, as: "ana", emoji255))
        let tooLong = await harness.post(ana, as: "ana", emoji255 + "a")
        XCTAssertEqual(tooLong.status, 400)
        XCTAssertTrue((tooLong.object["message"] as? String ?? "").hasPrefix("text"), tooLong.text)
        assertStatus(400, await harness.post(ana, as: "ana", ""))
    }

    func testCreateRefusals() async throws {
        let ana = try await harness.user("ana")
        await harness.register("bob")
        let elsewhere = await harness.send("POST", "/api/users/bob/collection", json: #"{"text":"hi"}"#, token: ana)
        XCTAssertEqual(elsewhere.status, 403)
        XCTAssertEqual(elsewhere.errorCode, "forbidden")
        let unknownReference = await harness.send(
            "POST", "/api/users/ana/collection", json: #"{"text":"hi","referenced":"zed"}"#, token: ana)
        XCTAssertEqual(unknownReference.status, 400)
        XCTAssertTrue(unknownReference.text.contains("referenced"), unknownReference.text)
        let wrongType = await harness.send("POST", "/api/users/ana/collection", json: #"{"text":12}"#, token: ana)
        XCTAssertEqual(wrongType.status, 400)
        XCTAssertTrue(wrongType.text.contains("text: expected a string"), wrongType.text)
        let missing = await harness.send("POST", "/api/users/ana/collection", json: #"{}"#, token: ana)
        XCTAssertEqual(missing.status, 400)
        let noToken = await harness.send("POST", "/api/users/ana/collection", json: #"{"text":"hi"}"#)
        XCTAssertEqual(noToken.status, 401)
    }

    func testGetReplacePatchDeleteAndOwnership() async throws {
        let ana = try await harness.user("ana")
        let bob = try await harness.user("bob")
        _ = await harness.send("POST", "/api/users/ana/collection", json: #"{"text":"first","referenced":"bob"}"#, token: ana)
        let path = "/api/users/ana/collection/1"

        let got = await harness.send("GET", path, token: bob)
        XCTAssertEqual(got.status, 200)
        let etag = try XCTUnwrap(got.header("ETag"))
        assertStatus(304, await harness.send("GET", path, token: bob, headers: [("If-None-Match", etag)]))
        assertStatus(404, await harness.send("GET", "/api/users/bob/collection/1", token: bob))
        // Not an id at all: the route's parameter type refuses it, naming the parameter.
        let notAnID = await harness.send("GET", "/api/users/ana/collection/abc", token: bob)
        assertStatus(400, notAnID)
        XCTAssertEqual(notAnID.object["message"] as? String, "id: must be an integer of at least 1.")
        assertStatus(400, await harness.send("GET", "/api/users/ana/collection/0", token: bob))

        assertStatus(403, await harness.send("PUT", path, json: #"{"text":"bob was here"}"#, token: bob))
        assertStatus(403, await harness.send("PATCH", path, json: #"{"text":"bob was here"}"#, token: bob))
        assertStatus(403, await harness.send("DELETE", path, token: bob))

        let patched = await harness.send("PATCH", path, json: #"{"text":"edited"}"#, token: ana)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(patched.object["text"] as? String, "edited")
        XCTAssertEqual(patched.object["referenced"] as? String, "bob")
        XCTAssertNotEqual(patched.header("ETag"), etag)
        assertStatus(200, await harness.send("GET", path, token: bob, headers: [("If-None-Match", etag)]))

        let cleared = await harness.send("PATCH", path, json: #"{"referenced":null}"#, token: ana)
        XCTAssertEqual(cleared.status, 200)
        XCTAssertTrue(cleared.text.contains(#""referenced":null"#))
        assertStatus(400, await harness.send("PATCH", path, json: #"{}"#, token: ana))
        assertStatus(400, await harness.send("PATCH", path, json: #"{"text":null}"#, token: ana))

        let replaced = await harness.send("PUT", path, json: #"{"text":"replaced"}"#, token: ana)
        XCTAssertEqual(replaced.status, 200)
        XCTAssertEqual(replaced.object["text"] as? String, "replaced")
        assertStatus(400, await harness.send("PUT", path, json: #"{"referenced":"bob"}"#, token: ana))

        assertStatus(204, await harness.send("DELETE", path, token: ana))
        assertStatus(404, await harness.send("DELETE", path, token: ana))
        assertStatus(404, await harness.send("GET", path, token: ana))
    }

    func testPaginationLinksKeepOtherParametersAndValidatePageAndSize() async throws {
        let ana = try await harness.user("ana")
        for number in 1...5 { _ = await harness.post(ana, as: "ana", "post \(number)") }

        let first = await harness.send("GET", "/api/users/ana/collection?size=2&x=a%20b", token: ana)
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.result.map { $0["text"] as? String }, ["post 5", "post 4"])
        XCTAssertEqual(first.object["next"] as? String, "https://api.example.com/api/users/ana/collection?size=2&x=a%20b&page=2")
        XCTAssertTrue(first.object["previous"] is NSNull)

        let middle = await harness.send("GET", "/api/users/ana/collection?page=2&size=2", token: ana)
        XCTAssertEqual(middle.result.map { $0["text"] as? String }, ["post 3", "post 2"])
        XCTAssertEqual(middle.object["next"] as? String, "https://api.example.com/api/users/ana/collection?page=3&size=2")
        XCTAssertEqual(middle.object["previous"] as? String, "https://api.example.com/api/users/ana/collection?page=1&size=2")

        let last = await harness.send("GET", "/api/users/ana/collection?page=3&size=2", token: ana)
        XCTAssertEqual(last.result.count, 1)
        XCTAssertTrue(last.object["next"] is NSNull)

        let beyond = await harness.send("GET", "/api/users/ana/collection?page=9&size=2", token: ana)
        XCTAssertEqual(beyond.status, 200)
        XCTAssertEqual(beyond.result.count, 0)

        for query in ["page=0", "page=-1", "page=x", "size=0", "size=101", "size=1.5", "page=1&page=2", "page=99999999999999999999"] {
            let bad = await harness.send("GET", "/api/users/ana/collection?\(query)", token: ana)
            XCTAssertEqual(bad.status, 400, query)
        }
        assertStatus(404, await harness.send("GET", "/api/users/zed/collection", token: ana))
    }

    func testTimelineShowsFollowedUsersPosts() async throws {
        let ana = try await harness.user("ana")
        let bob = try await harness.user("bob")
        _ = await harness.post(bob, as: "bob", "from bob")
        _ = await harness.post(ana, as: "ana", "from ana")
        assertStatus(201, await harness.send("POST", "/api/users/ana/following", json: #"{"username":"bob"}"#, token: ana))
        let timeline = await harness.send("GET", "/api/users/ana/timeline", token: ana)
        XCTAssertEqual(timeline.status, 200)
        XCTAssertEqual(timeline.result.map { $0["text"] as? String }, ["from bob"])
        XCTAssertEqual(timeline.result.first?["href"] as? String, "https://api.example.com/api/users/bob/collection/1")
    }
}
