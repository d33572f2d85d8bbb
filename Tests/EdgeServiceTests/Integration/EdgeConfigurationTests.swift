import AppServerProtocol
import EdgeService
import RPC
import ServiceKit
import ServiceTestSupport
import XCTest

final class EdgeConfigurationTests: XCTestCase {
    func testWorkerTargetDefaultsToDNSAndAcceptsEveryForm() throws {
        var reader = ConfigReader(arguments: [], environment: [:])
        XCTAssertEqual(EdgeService.configure(&reader).workerTarget, .dns(.init(host: "worker", port: 7101)))
        for text in ["127.0.0.1:7101,127.0.0.1:7201", "unix:/run/worker.sock", "dns://worker.local:7101"] {
            var reader = ConfigReader(arguments: ["--worker-target", text], environment: [:])
            XCTAssertEqual(EdgeService.configure(&reader).workerTarget.description, text)
            XCTAssertNoThrow(try reader.finish())
        }
    }

    func testBadWorkerTargetIsAConfigurationError() {
        var reader = ConfigReader(arguments: [], environment: ["WORKER_TARGET": "worker"])
        _ = EdgeService.configure(&reader)
        XCTAssertThrowsError(try reader.finish()) { error in
            XCTAssertTrue("\(error)".contains("--worker-target"), "\(error)")
        }
    }

    func testEdgeProcessBecomesReadyAndDrainsOnSIGINT() async throws {
        let edge = try ServiceProcess("edge", arguments: ["--worker-target", "127.0.0.1:1", "--drain-timeout", "3s"])
        try await edge.waitForAdmin("/healthz", status: 200)
        try await edge.waitForAdmin("/readyz", status: 200)
        let status = try await edge.stop(signal: SIGINT)
        XCTAssertEqual(status, 0, edge.standardError)
    }
}

final class EdgeSettingsTests: XCTestCase {
    func testDefaultsAndOverrides() throws {
        var reader = ConfigReader(arguments: [], environment: [:])
        let defaults = EdgeService.configure(&reader).http
        XCTAssertEqual(defaults.listen.description, "0.0.0.0:8080")
        XCTAssertEqual(defaults.maximumBodySize, HTTPEnvelopeRequest.maximumBodySize, "what a worker accepts")
        XCTAssertEqual(defaults.requestBodyBudget, 32 << 20)
        XCTAssertEqual(defaults.maximumConnectionsPerAddress, 256)
        XCTAssertEqual(defaults.requestTimeout, .seconds(60))
        XCTAssertEqual(defaults.rateLimit, 0)
        XCTAssertEqual(defaults.rateLimitTrackedClients, 100_000)
        XCTAssertFalse(defaults.staticListing)
        XCTAssertEqual(defaults.maximumPipelinedRequests, 100)
        XCTAssertEqual(defaults.writeBufferLimit, 64 * 1024)
        XCTAssertEqual(defaults.sendTimeout, .seconds(60))

        var custom = ConfigReader(
            arguments: [
                "--http-listen", "127.0.0.1:9999", "--max-body-size", "2048", "--header-timeout", "2s",
                "--max-pipelined-requests", "8", "--send-timeout", "15s", "--request-body-budget", "4096",
                "--max-connections-per-address", "0",
            ],
            environment: [
                "STATIC_ROOT": "/srv/www", "TRUSTED_PROXIES": "10.0.0.0/8,::1", "ACCESS_LOG_FORMAT": "json",
                "WRITE_BUFFER_LIMIT": "131072", "REQUEST_TIMEOUT": "5s",
            ])
        let http = EdgeService.configure(&custom).http
        XCTAssertNoThrow(try custom.finish())
        XCTAssertEqual(http.listen.port, 9999)
        XCTAssertEqual(http.maximumBodySize, 2048)
        XCTAssertEqual(http.headerTimeout, .seconds(2))
        XCTAssertEqual(http.staticRoot, "/srv/www")
        XCTAssertEqual(http.accessLogFormat, .json)
        XCTAssertEqual(http.maximumPipelinedRequests, 8)
        XCTAssertEqual(http.sendTimeout, .seconds(15))
        XCTAssertEqual(http.writeBufferLimit, 131_072)
        XCTAssertEqual(http.requestBodyBudget, 4096)
        XCTAssertEqual(http.maximumConnectionsPerAddress, 0)
        XCTAssertEqual(http.requestTimeout, .seconds(5))
    }

    /// The edge may refuse smaller bodies than a worker, never forward larger ones only to see
    /// them refused there; a budget below one body could never be used; a request timeout of
    /// 0 would refuse every request with a body.
    func testBodyLimitsAndRequestTimeoutAreBounded() {
        let cases = [
            ["--max-body-size", "\(HTTPEnvelopeRequest.maximumBodySize + 1)"],
            ["--request-body-budget", "65535"],
            ["--max-body-size", "1024", "--request-body-budget", "1023"],
            ["--request-timeout", "0"],
        ]
        for arguments in cases {
            var reader = ConfigReader(arguments: arguments, environment: [:])
            _ = EdgeService.configure(&reader)
            let flag = arguments.count == 4 ? arguments[2] : arguments[0]
            XCTAssertThrowsError(try reader.finish(), "\(arguments)") { XCTAssertTrue("\($0)".contains(flag), "\($0)") }
        }
    }

    func testPipeliningAndWriteBufferLimitsAreBounded() {
        for arguments in [["--max-pipelined-requests", "0"], ["--write-buffer-limit", "100"]] {
            var reader = ConfigReader(arguments: arguments, environment: [:])
            _ = EdgeService.configure(&reader)
            XCTAssertThrowsError(try reader.finish()) { XCTAssertTrue("\($0)".contains(arguments[0]), "\($0)") }
        }
    }

    func testBadTrustedProxiesIsAConfigurationError() {
        var reader = ConfigReader(arguments: ["--trusted-proxies", "10.0.0.0/8,proxy.local"], environment: [:])
        _ = EdgeService.configure(&reader)
        XCTAssertThrowsError(try reader.finish()) { XCTAssertTrue("\($0)".contains("--trusted-proxies"), "\($0)") }
    }
}
