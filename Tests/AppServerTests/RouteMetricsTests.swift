import AppServer
import Hummingbird
import InMemoryTracing
import MetricsTestKit
import Tracing
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

    /// The RPC server's span is the request's span: named by the matched route, with the HTTP
    /// attributes, and no span of the route's own.
    func testInARecordedTraceTheServerSpanIsNamedByTheRoute() async throws {
        let tracer = InMemoryTracer()
        let router = ItemsApp.routes.makeRouter(authenticator: ItemsApp.NameAuthenticator(), metricsFactory: TestMetrics(), tracer: tracer)
        let responder = EnvelopeResponder(responder: router.buildResponder())
        func served(_ method: String, _ target: String) async throws -> (status: Int, span: FinishedInMemorySpan) {
            let server = tracer.startSpan("worker/http", context: .topLevel, ofKind: .server)
            let reply = await ServiceContext.$current.withValue(server.context) { await ItemsApp.send(method, target, to: responder) }
            server.end()
            let spans = tracer.popFinishedSpans()
            XCTAssertEqual(spans.count, 1, "no span besides the server's: \(spans.map(\.operationName))")
            return (reply.status, try XCTUnwrap(spans.first))
        }

        let found = try await served("GET", "/items/ann/1")
        XCTAssertEqual(found.status, 200)
        XCTAssertEqual(found.span.operationName, "GET /items/{owner}/{id}")
        XCTAssertEqual(found.span.attributes.get("http.route"), .string("/items/{owner}/{id}"))
        XCTAssertEqual(found.span.attributes.get("http.request.method"), .string("GET"))
        XCTAssertEqual(found.span.attributes.get("http.response.status_code"), .int64(200))
        XCTAssertEqual(found.span.status?.code, nil)

        let crashed = try await served("GET", "/crash")
        XCTAssertEqual(crashed.status, 500)
        XCTAssertEqual(crashed.span.operationName, "GET /crash")
        XCTAssertEqual(crashed.span.status?.code, .error)

        let unmatched = try await served("GET", "/no/such/thing")
        XCTAssertEqual(unmatched.span.operationName, "GET unmatched")

        // Outside a trace nothing is made or named.
        _ = await ItemsApp.send("GET", "/items/ann/1", to: responder)
        XCTAssertTrue(tracer.popFinishedSpans().isEmpty)
        XCTAssertTrue(tracer.activeSpans.isEmpty)
    }
}
