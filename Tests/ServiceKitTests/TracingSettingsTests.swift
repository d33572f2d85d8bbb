import Logging
import ServiceKit
import XCTest

final class TracingSettingsTests: XCTestCase {
    private func read(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> TracingSettings {
        var reader = ConfigReader(arguments: arguments, environment: environment)
        let settings = CommonSettings.read(from: &reader, defaultAdminPort: 9999)
        try reader.finish()
        return settings.tracing
    }

    func testTracingIsOffUnlessAnEndpointIsGiven() throws {
        XCTAssertNil(try read().endpoint)
        // Compose passes `${OTEL_EXPORTER_OTLP_ENDPOINT:-}`: empty is off, not an address.
        XCTAssertNil(try read(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": ""]).endpoint)
        XCTAssertEqual(
            try read(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]).endpoint, "http://collector:4318")
        XCTAssertEqual(try read(["--otlp-endpoint", "http://127.0.0.1:4318"]).endpoint, "http://127.0.0.1:4318")
    }

    func testTheSampleRatioIsAShareBetweenZeroAndOne() throws {
        XCTAssertEqual(try read().sampleRatio, 1)
        XCTAssertEqual(try read(environment: ["OTEL_TRACES_SAMPLER_ARG": "0.01"]).sampleRatio, 0.01)
        XCTAssertThrowsError(try read(["--trace-sample-ratio", "1.5"]))
        XCTAssertThrowsError(try read(["--trace-sample-ratio", "-0.1"]))
        XCTAssertThrowsError(try read(environment: ["OTEL_TRACES_SAMPLER_ARG": "often"]))
    }

    func testSpansArePostedToTheEndpointsTracesPath() {
        XCTAssertEqual(TracingSettings(endpoint: "http://collector:4318").tracesURL, "http://collector:4318/v1/traces")
        XCTAssertEqual(TracingSettings(endpoint: "http://collector:4318/").tracesURL, "http://collector:4318/v1/traces")
        XCTAssertNil(TracingSettings().tracesURL)
    }

    func testNoEndpointMeansNoTracer() throws {
        let bootstrap = try ServiceTracing.bootstrap(
            service: "test", settings: TracingSettings(), logger: .init(label: "test"))
        XCTAssertNil(bootstrap, "no endpoint, no tracer")
    }
}
