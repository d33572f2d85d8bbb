import AppServer
import Hummingbird
import MetricsTestKit
import XCTest

/// Each route's requests by status class and its latency, labelled with the documented
/// template, never the concrete path.
final class RouteMetricsTests: XCTestCase {
    func testRequestsAreCountedPerRouteTemplateMethodAndStatusClass() async throws {
        let metrics = TestMetrics()
        let responder = EnvelopeResponder(
            responder: ItemsApp.routes.makeRouter(authenticator: ItemsApp.NameAuthenticator(), metricsFactory: metrics).buildResponder())
        for target in ["/items/ann/1", "/items/bob/2", "/items/ann/0"] {
            _ = await ItemsApp.send("GET", target, to: responder)
        }
        _ = await ItemsApp.send("DELETE", "/items/ann/1", headers: [("Authorization", "Name bob")], to: responder)
        _ = await ItemsApp.send("GET", "/crash", to: responder)
        _ = await ItemsApp.send("GET", "/no/such/thing", to: responder)

        func requests(_ route: String, _ method: String, _ status: String) throws -> Int64 {
            try metrics.expectCounter("http_server_requests_total", [("route", route), ("method", method), ("status", status)]).totalValue
        }
        XCTAssertEqual(try requests("/items/{owner}/{id}", "GET", "2xx"), 2)
        XCTAssertEqual(try requests("/items/{owner}/{id}", "GET", "4xx"), 1, "id 0 is a 400")
        XCTAssertEqual(try requests("/items/{owner}/{id}", "DELETE", "4xx"), 1, "not the owner: 403")
        XCTAssertEqual(try requests("/crash", "GET", "5xx"), 1)
        XCTAssertEqual(try requests("unmatched", "any", "4xx"), 1)
        let durations = try metrics.expectTimer(
            "http_server_request_duration_seconds", [("route", "/items/{owner}/{id}"), ("method", "GET")])
        XCTAssertEqual(durations.values.count, 3)
    }
}
