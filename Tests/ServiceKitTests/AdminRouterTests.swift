import Foundation
import Hummingbird
import HummingbirdTesting
import Metrics
import Prometheus
import ServiceKit
import XCTest

final class AdminRouterTests: XCTestCase {
    func testServiceRoutesAreAnsweredBesideTheStandardOnes() async throws {
        let routes = AdminRoutes()
        routes.get("instances") { AdminRoutes.Reply(contentType: "application/json", body: Array(#"{"instances":[]}"#.utf8)) }
        let app = Application(router: AdminServer.makeRouter(readiness: Readiness(), registry: .init(), extraRoutes: routes))
        try await app.test(.router) { client in
            try await client.execute(uri: "/instances", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "application/json")
                XCTAssertEqual(response.headers[.cacheControl], "no-store")
                XCTAssertEqual(String(buffer: response.body), #"{"instances":[]}"#)
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
            }
        }
    }

    func testHealthzIsAlwaysOK() async throws {
        let app = Application(router: AdminServer.makeRouter(readiness: Readiness(), registry: .init()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
            }
        }
    }

    func testReadyzFollowsReadiness() async throws {
        let readiness = Readiness()
        readiness.set("database", ready: false)
        let app = Application(router: AdminServer.makeRouter(readiness: readiness, registry: .init()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                XCTAssertEqual(response.status, .serviceUnavailable, "starting")
                XCTAssertEqual(response.headers[.contentType], "application/json")
                XCTAssertEqual(
                    String(buffer: response.body),
                    #"{"conditions":{"database":false},"draining":false,"ready":false,"started":false}"#
                )
            }

            readiness.markStarted()
            readiness.set("database", ready: true)
            try await client.execute(uri: "/readyz", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(
                    String(buffer: response.body),
                    #"{"conditions":{"database":true},"draining":false,"ready":true,"started":true}"#
                )
            }

            readiness.beginDraining()
            try await client.execute(uri: "/readyz", method: .get) { response in
                XCTAssertEqual(response.status, .serviceUnavailable, "draining")
                XCTAssertEqual(response.headers[.cacheControl], "no-store")
            }
        }
    }

    func testMetricsRendersPrometheusText() async throws {
        let registry = PrometheusCollectorRegistry()
        let counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "admin_test_events", unitName: "total", helpText: "Test events."))
        counter.increment(by: Int64(3))
        let app = Application(router: AdminServer.makeRouter(readiness: Readiness(), registry: registry))
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
                let body = String(buffer: response.body)
                XCTAssertTrue(body.contains("# TYPE admin_test_events_total counter\n"), body)
                XCTAssertTrue(body.contains("admin_test_events_total 3\n"), body)
            }
        }
    }

    func testUnknownPathIs404() async throws {
        let app = Application(router: AdminServer.makeRouter(readiness: Readiness(), registry: .init()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/nope", method: .get) { response in
                XCTAssertEqual(response.status, .notFound)
            }
        }
    }
}

extension AdminRouterTests {
    /// The path services use: swift-metrics API in, Prometheus text out. A local factory
    /// stands in for `ServiceMetrics.bootstrap()`, which may run only once per test process.
    func testSwiftMetricsCounterAppearsInMetrics() async throws {
        let registry = PrometheusCollectorRegistry()
        let counter = Counter(
            label: "rpc_calls_total", dimensions: [("method", "timeline")],
            factory: PrometheusMetricsFactory(registry: registry))
        counter.increment()
        let app = Application(router: AdminServer.makeRouter(readiness: Readiness(), registry: registry))
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                XCTAssertTrue(String(buffer: response.body).contains(#"rpc_calls_total{method="timeline"} 1"#))
            }
        }
    }
}
