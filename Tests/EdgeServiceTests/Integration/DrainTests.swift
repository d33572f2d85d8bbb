import Foundation
import ServiceTestSupport
import XCTest

/// The real `edge` executable: SIGTERM stops accepting, closes idle keep-alive connections,
/// finishes requests in flight and exits 0.
final class DrainTests: XCTestCase {
    func testSIGTERMDrainsInFlightRequestsAndExitsZero() async throws {
        let worker = try await FakeWorker.start(name: "w1", script: WorkerScript())
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("edge-drain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("home".utf8).write(to: root.appendingPathComponent("index.html"))
        try UnprivilegedAccount.giveToServices(root)
        defer { try? FileManager.default.removeItem(at: root) }
        let port = try freePort()
        let edge = try ServiceProcess(
            "edge",
            arguments: [
                "--http-listen", "127.0.0.1:\(port)", "--worker-target", worker.target, "--static-root", root.path,
                "--drain-timeout", "5s",
            ])
        try await edge.waitForAdmin("/readyz", status: 200)

        let idle = try await RawHTTPClient.connect(port: port)
        try await idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer1 = try await idle.response()
        XCTAssertEqual(answer1.text, "home")

        // Counted on the admin listener's /metrics by kind and status class.
        let metrics = try await httpGet(port: edge.adminPort, path: "/metrics")
        XCTAssertTrue(metrics.body.contains(#"http_requests_total{kind="static",status="2xx"} 1"#), metrics.body)

        let busy = try await RawHTTPClient.connect(port: port)
        try await busy.send("GET /api/sleep?ms=1000 HTTP/1.1\r\nHost: x\r\nX-Request-ID: drain-1\r\n\r\n")
        try await Task.sleep(for: .milliseconds(300))

        // Connections open, requests in flight, bytes, and refusals by limit.
        let oversized = try await RawHTTPClient.connect(port: port)
        try await oversized.send("POST /api/things HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n")
        let refused = try await oversized.response()
        XCTAssertEqual(refused.status, 413)
        _ = try await oversized.waitForClose(timeout: .seconds(2))
        try await Task.sleep(for: .milliseconds(50))
        let during = try await httpGet(port: edge.adminPort, path: "/metrics").body
        for series in [
            "http_connections_open 2", "http_requests_in_flight 1", #"http_response_body_bytes_total{kind="static"} 4"#,
            #"http_requests_rejected_total{limit="body_size"} 1"#, #"http_requests_rejected_total{limit="uri_length"} 0"#,
        ] {
            XCTAssertTrue(during.contains(series), "edge /metrics lacks \(series)")
        }
        kill(edge.process.processIdentifier, SIGTERM)

        let closedAfter = try await idle.waitForClose(timeout: .seconds(2))
        XCTAssertLessThan(closedAfter, .milliseconds(900), "idle keep-alive connections close at once")
        let response = try await busy.response()
        XCTAssertEqual(response.status, 200, "the request in flight finishes")
        XCTAssertEqual(response.header("Connection"), "close")
        let status = try await edge.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(status, 0, edge.standardError)
        let log = edge.standardOutput
        XCTAssertTrue(log.contains("[drain-1]") && log.contains(#""GET /api/sleep?ms=1000 HTTP/1.1" 200"#), log)
        await worker.stop()
    }

    func testHelpListsEveryEdgeSetting() async throws {
        let result = try await runTool("edge", ["--help"])
        XCTAssertEqual(result.status, 0)
        for flag in [
            "--http-listen", "--static-root", "--static-listing", "--static-gzip", "--static-cache-control", "--max-header-size",
            "--max-body-size", "--rate-limit", "--rate-limit-burst", "--max-connections", "--header-timeout", "--body-timeout",
            "--keepalive-timeout", "--request-timeout", "--request-body-budget", "--max-connections-per-address",
            "--max-pipelined-requests", "--write-buffer-limit", "--send-timeout", "--trusted-proxies", "--maintenance-file", "--access-log",
            "--access-log-format",
            "--worker-target", "--worker-timeout", "HTTP_LISTEN", "STATIC_ROOT",
        ] {
            XCTAssertTrue(result.stdout.contains(flag), "--help lacks \(flag)")
        }
    }
}
