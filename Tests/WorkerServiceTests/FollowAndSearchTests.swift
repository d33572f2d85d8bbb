import AppServer
import XCTest

/// Following, followers, unfollowing and search.
final class FollowAndSearchTests: XCTestCase {
    var harness: WorkerHarness!

    override func setUp() async throws { harness = try await WorkerHarness() }
    override func tearDown() async throws { harness.shutdown() }

    func testFollowListAndUnfollow() async throws {
        let ana = try await harness.user("ana")
        let bob = try await harness.user("bob")
        let follow = await harness.send("POST", "/api/users/ana/following", json: #"{"username":"bob"}"#, token: ana)
        XCTAssertEqual(follow.status, 201, follow.text)
        XCTAssertEqual(follow.header("Location"), "https://api.example.com/api/users/ana/following/bob")
        XCTAssertEqual(follow.object["username"] as? String, "bob")
        assertStatus(200, await harness.send("POST", "/api/users/ana/following", json: #"{"username":"bob"}"#, token: ana))

        let following = await harness.send("GET", "/api/users/ana/following", token: bob)
        XCTAssertEqual(following.result.map { $0["username"] as? String }, ["bob"])
        XCTAssertEqual(following.result.first?["collection"] as? String, "https://api.example.com/api/users/bob/collection")
        let followers = await harness.send("GET", "/api/users/bob/followers", token: bob)
        XCTAssertEqual(followers.result.map { $0["username"] as? String }, ["ana"])

        assertStatus(403, await harness.send("DELETE", "/api/users/ana/following/bob", token: bob))
        assertStatus(204, await harness.send("DELETE", "/api/users/ana/following/bob", token: ana))
        assertStatus(404, await harness.send("DELETE", "/api/users/ana/following/bob", token: ana))
        assertStatus(404, await harness.send("DELETE", "/api/users/ana/following/zed", token: ana))
    }

    func testFollowRefusals() async throws {
        let ana = try await harness.user("ana")
        await harness.register("bob")
        assertStatus(403, await harness.send("POST", "/api/users/bob/following", json: #"{"username":"ana"}"#, token: ana))
        let myself = await harness.send("POST", "/api/users/ana/following", json: #"{"username":"ana"}"#, token: ana)
        XCTAssertEqual(myself.status, 400)
        XCTAssertTrue(myself.text.contains("username"), myself.text)
        assertStatus(400, await harness.send("POST", "/api/users/ana/following", json: #"{"username":"zed"}"#, token: ana))
        assertStatus(400, await harness.send("POST", "/api/users/ana/following", json: #"{"username":7}"#, token: ana))
        assertStatus(404, await harness.send("GET", "/api/users/zed/followers", token: ana))
    }

    func testSearch() async throws {
        let ana = try await harness.user("ana")
        let bob = try await harness.user("bob")
        _ = await harness.post(ana, as: "ana", "Hello World")
        _ = await harness.post(bob, as: "bob", "hello there")
        _ = await harness.post(bob, as: "bob", "goodbye")

        let all = await harness.send("GET", "/api/search?text=HELLO", token: ana)
        XCTAssertEqual(all.status, 200)
        XCTAssertEqual(all.result.map { $0["text"] as? String }, ["hello there", "Hello World"])
        let byBob = await harness.send("GET", "/api/search?text=hello&username=bo&size=1", token: ana)
        XCTAssertEqual(byBob.result.map { $0["user"] as? String }, ["bob"])
        XCTAssertNil(byBob.object["next"] as? String)
        let spaced = await harness.send("GET", "/api/search?text=hello+there", token: ana)
        XCTAssertEqual(spaced.result.count, 1)

        assertStatus(400, await harness.send("GET", "/api/search?text=he", token: ana))
        assertStatus(400, await harness.send("GET", "/api/search", token: ana))
        assertStatus(400, await harness.send("GET", "/api/search?text=%ZZ", token: ana))
        assertStatus(401, await harness.send("GET", "/api/search?text=hello"))
    }
}
