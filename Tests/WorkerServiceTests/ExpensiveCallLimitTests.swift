import AppServer
import HTTPTypes
import Logging
import MicropostsModels
import RPC
import XCTest

@testable import WorkerService

/// The data service's limits on expensive calls, as the API shows them.
final class ExpensiveCallLimitTests: XCTestCase {
    var harness: WorkerHarness!

    override func setUp() async throws { harness = try await WorkerHarness() }
    override func tearDown() async throws { harness.shutdown() }

    /// Searches and timelines name the authenticated user, whom the data service counts them
    /// against; cheap calls carry no such metadata.
    func testSearchAndTimelineNameTheirCaller() async throws {
        let ana = try await harness.user("ana")
        assertStatus(200, await harness.send("GET", "/api/search?text=hello", token: ana))
        XCTAssertEqual(harness.fake.lastCall?.method, "microposts.search")
        XCTAssertEqual(harness.fake.lastCall?.metadata.caller, "ana")
        assertStatus(200, await harness.send("GET", "/api/users/ana/timeline", token: ana))
        XCTAssertEqual(harness.fake.lastCall?.method, "microposts.timeline")
        XCTAssertEqual(harness.fake.lastCall?.metadata.caller, "ana")
        assertStatus(200, await harness.send("GET", "/api/users/ana/collection", token: ana))
        XCTAssertEqual(harness.fake.lastCall?.method, "microposts.list")
        XCTAssertNil(harness.fake.lastCall?.metadata.caller)
    }

    /// The data service's per-user refusal is a 429 with Retry-After and the limit's message,
    /// and the document declares it for the operations that can produce it.
    func testAPerUserRefusalIs429WithRetryAfter() async throws {
        let ana = try await harness.user("ana")
        let message = "at most 2 searches or timelines at once per user; wait for the running ones to finish"
        harness.fake.fail("microposts.search", with: RPCError(.resourceExhausted, message))
        let refused = await harness.send("GET", "/api/search?text=hello", token: ana)
        XCTAssertEqual(refused.status, 429, refused.text)
        XCTAssertEqual(refused.errorCode, "rate_limited")
        XCTAssertEqual(refused.header("Retry-After"), "1")
        XCTAssertEqual(refused.object["message"] as? String, message)

        let document = harness.components.api.openAPIDocument(serverURL: "http://x")
        for (path, method) in [("/api/search", "get"), ("/api/users/{username}/timeline", "get")] {
            guard case .object(let paths)? = document["paths"], case .object(let item)? = paths[path],
                case .object(let operation)? = item[method], case .object(let responses)? = operation["responses"]
            else { return XCTFail("no \(method) \(path)") }
            XCTAssertNotNil(responses["429"], path)
        }
    }

    /// A `resourceExhausted` the RPC layer sent without running the call is the worker's
    /// load, not this user's: still a 503.
    func testAnUnprocessedResourceExhaustedStaysA503() {
        let error = RPCError(.resourceExhausted, "too many calls on this connection", wasProcessed: false)
        let mapped = APIError.from(error, isIdempotent: true, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        XCTAssertEqual(mapped.status, .serviceUnavailable)
        XCTAssertEqual(mapped.headers[.retryAfter], "1")
    }

    /// A page beyond the data service's result window: its message reaches the client as a 400.
    func testADeepPageRefusalIs400WithTheLimitsMessage() async throws {
        let ana = try await harness.user("ana")
        let message =
            "page: page × size must be at most 10000 (the result window); page 1000000 of size 100 reaches item 100000000. Narrow the query instead."
        harness.fake.fail("microposts.search", with: RPCError.invalidArgument(message))
        let refused = await harness.send("GET", "/api/search?text=hello&page=1000000&size=100", token: ana)
        XCTAssertEqual(refused.status, 400, refused.text)
        XCTAssertEqual(refused.object["message"] as? String, message)
    }
}
