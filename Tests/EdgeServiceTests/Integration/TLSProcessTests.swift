import Foundation
import ServiceTestSupport
import XCTest

/// The real `edge` executable with TLS: its flags, its metrics, SIGHUP.
final class TLSProcessTests: XCTestCase {
    private var certificates: TestCertificates!

    override func setUp() async throws {
        certificates = try TestCertificates()
        try certificates.make("edge-a")
        try certificates.make("edge-b")
        try certificates.make("live")
        try certificates.copy("edge-a", over: "live")
    }

    override func tearDown() async throws {
        certificates.remove()
    }

    private var tlsEnvironment: [String: String] {
        ["TLS_CERTIFICATE": certificates.certificate("live"), "TLS_KEY": certificates.key("live")]
    }

    func testGarbageHandshakesAreCountedAndProtocolsTooWithoutHarm() async throws {
        let edge = try await EdgeProcess.start(environment: tlsEnvironment)
        defer { edge.stop() }
        let base = "https://127.0.0.1:\(edge.port)"
        let garbage = try await RawHTTPClient.connect(port: edge.port)
        try await garbage.send(bytes: Array(repeating: 0x16, count: 5) + Array(repeating: 0xFF, count: 2048))
        _ = try await garbage.waitForClose(timeout: .seconds(5))
        let plain = try await RawHTTPClient.connect(port: edge.port)
        try await plain.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        _ = try await plain.waitForClose(timeout: .seconds(5))
        try await edge.waitForMetric("tls_handshake_failures_total", toBe: 2)

        let h2 = try await Curl.fetch(base + "/", ["--http2"])
        XCTAssertEqual(h2.version, "2")
        let h1 = try await Curl.fetch(base + "/", ["--http1.1"])
        XCTAssertEqual(h1.version, "1.1")
        try await edge.waitForMetric(#"tls_connections_total{protocol="h2"}"#, toBe: 1)
        try await edge.waitForMetric(#"tls_connections_total{protocol="http/1.1"}"#, toBe: 1)
        try await edge.waitForMetric(#"http_requests_total{kind="static",status="2xx"}"#, toBe: 2)
        XCTAssertTrue(edge.isRunning, edge.exitDescription)
    }

    func testSIGHUPReloadsTheCertificate() async throws {
        let edge = try await EdgeProcess.start(environment: tlsEnvironment)
        defer { edge.stop() }
        let base = "https://127.0.0.1:\(edge.port)"
        let before = try await Curl.certificateName(base + "/")
        XCTAssertEqual(before, "edge-a")
        try certificates.copy("edge-b", over: "live")
        kill(edge.service.process.processIdentifier, SIGHUP)
        let until = ContinuousClock.now + .seconds(5)
        var name = before
        while name != "edge-b", ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(50))
            name = try await Curl.certificateName(base + "/")
        }
        XCTAssertEqual(name, "edge-b")
        XCTAssertTrue(edge.isRunning, edge.exitDescription)
    }

    func testBadOrHalfTLSConfigurationIsAStartupError() async throws {
        let missing = try ServiceProcess(
            "edge",
            arguments: [
                "--http-listen", "127.0.0.1:0", "--tls-certificate", "/nonexistent/edge.crt", "--tls-key", certificates.key("live"),
            ])
        let status = try await missing.waitForExit()
        // Read once: each read takes what is there.
        let missingError = missing.standardError
        XCTAssertEqual(status, 2, missingError)
        XCTAssertTrue(missingError.contains("--tls-certificate"), missingError)
        XCTAssertTrue(missingError.contains("/nonexistent/edge.crt"), missingError)

        let mismatched = try ServiceProcess(
            "edge",
            arguments: [
                "--http-listen", "127.0.0.1:0", "--tls-certificate", certificates.certificate("edge-a"), "--tls-key",
                certificates.key("edge-b"),
            ])
        let mismatchStatus = try await mismatched.waitForExit()
        let mismatchError = mismatched.standardError
        XCTAssertEqual(mismatchStatus, 2, mismatchError)
        XCTAssertTrue(mismatchError.contains("cannot be used together"), mismatchError)

        let half = try ServiceProcess(
            "edge", arguments: ["--http-listen", "127.0.0.1:0"], environment: ["TLS_KEY": certificates.key("live")])
        let halfStatus = try await half.waitForExit()
        let halfError = half.standardError
        XCTAssertEqual(halfStatus, 2, halfError)
        XCTAssertTrue(halfError.contains("both --tls-certificate and --tls-key"), halfError)
    }
}
