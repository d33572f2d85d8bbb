import Foundation
import ServiceTestSupport
import XCTest

@testable import EdgeService

/// The edge terminating TLS in this process: HTTP/1.1 and HTTP/2 by ALPN, both TLS versions,
/// clients that do not speak TLS, certificate reloads, and the HTTP/2 stream limit.
final class TLSTests: XCTestCase {
    private var certificates: TestCertificates!
    private var edge: EdgeHarness!
    /// More than the static cache holds in memory, so it is read from disk each time.
    private static let largeFile = String(repeating: "0123456789abcdef", count: 8 * 1024)

    override func setUp() async throws {
        certificates = try TestCertificates()
        try certificates.make("edge-a")
        try certificates.make("edge-b")
        try certificates.make("live")
        try certificates.copy("edge-a", over: "live")
        let certificates = certificates!
        edge = try await EdgeHarness.start(
            files: ["index.html": "<h1>home</h1>\n", "large.txt": Self.largeFile],
            configure: {
                $0.tlsCertificate = certificates.certificate("live")
                $0.tlsKey = certificates.key("live")
                $0.http2MaximumConcurrentStreams = 8
            })
    }

    override func tearDown() async throws {
        await edge.stop()
        certificates.remove()
    }

    private var base: String { "https://127.0.0.1:\(edge.port)" }

    func testHTTP1OverTLSServesFilesAndErrors() async throws {
        let index = try await Curl.fetch(base + "/", ["--http1.1"])
        XCTAssertEqual(index.version, "1.1")
        XCTAssertEqual(index.status, 200)
        XCTAssertEqual(index.body, "<h1>home</h1>\n")
        let large = try await Curl.fetch(base + "/static/large.txt", ["--http1.1"])
        XCTAssertEqual(large.status, 200)
        XCTAssertEqual(large.body, Self.largeFile, "a file sent without sendfile arrives whole")
        let range = try await Curl.fetch(base + "/static/large.txt", ["--http1.1", "-r", "16-31"])
        XCTAssertEqual(range.status, 206)
        XCTAssertEqual(range.body, "0123456789abcdef")
        let missing = try await Curl.fetch(base + "/static/missing.txt", ["--http1.1"])
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.body.contains("\"not_found\""), missing.body)
        let api = try await Curl.fetch(base + "/api/anything", ["--http1.1"])
        XCTAssertTrue([502, 503, 504].contains(api.status), "no worker: \(api.status)")
    }

    func testHTTP2IsNegotiatedAndServedByTheSameHandling() async throws {
        let index = try await Curl.fetch(base + "/", ["--http2"])
        XCTAssertEqual(index.version, "2")
        XCTAssertEqual(index.status, 200)
        XCTAssertEqual(index.body, "<h1>home</h1>\n")
        let large = try await Curl.fetch(base + "/static/large.txt", ["--http2"])
        XCTAssertEqual(large.version, "2")
        XCTAssertEqual(large.body, Self.largeFile)
        let missing = try await Curl.fetch(base + "/static/missing.txt", ["--http2"])
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.body.contains("\"not_found\""), missing.body)
        let head = try await Curl.run(["--http2", "-I", base + "/"])
        XCTAssertTrue(head.stdout.lowercased().contains("x-request-id:"), head.stdout)
        XCTAssertFalse(head.stdout.lowercased().contains("connection:"), "no HTTP/1 connection header in HTTP/2: \(head.stdout)")
        // Several requests over one connection, one after another.
        let many = try await Curl.run([
            "--http2", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code}%{num_connects}\n", base + "/",
            base + "/", base + "/static/large.txt",
        ])
        XCTAssertEqual(many.stdout.split(separator: "\n"), ["2001", "2000", "2000"], "one connection, three answers")
    }

    func testTLS12AndTLS13AreBothAccepted() async throws {
        let old = try await Curl.run(["--tlsv1.2", "--tls-max", "1.2", "-v", "-o", "/dev/null", "-w", "%{http_code}", base + "/"])
        XCTAssertEqual(old.stdout, "200")
        XCTAssertTrue(old.stderr.contains("TLSv1.2"), old.stderr)
        let new = try await Curl.run(["--tlsv1.3", "-v", "-o", "/dev/null", "-w", "%{http_code}", base + "/"])
        XCTAssertEqual(new.stdout, "200")
        XCTAssertTrue(new.stderr.contains("TLSv1.3"), new.stderr)
    }

    func testPlainHTTPToTheTLSPortIsRefusedAndTheServerCarriesOn() async throws {
        let plain = try await edge.connect()
        try await plain.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        _ = try await plain.waitForClose(timeout: .seconds(5))
        XCTAssertFalse(String(decoding: plain.received, as: UTF8.self).hasPrefix("HTTP/"), "no plain answer on a TLS port")
        let garbage = try await edge.connect()
        try await garbage.send(bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        _ = try await garbage.waitForClose(timeout: .seconds(5))
        let after = try await Curl.fetch(base + "/", ["--http2"])
        XCTAssertEqual(after.status, 200)
    }

    func testSilentClientIsClosedAfterTheHeaderTimeout() async throws {
        await edge.stop()
        let certificates = certificates!
        edge = try await EdgeHarness.start(configure: {
            $0.tlsCertificate = certificates.certificate("live")
            $0.tlsKey = certificates.key("live")
            $0.headerTimeout = .milliseconds(300)
        })
        let silent = try await edge.connect()
        let waited = try await silent.waitForClose(timeout: .seconds(5))
        XCTAssertLessThan(waited, .seconds(3), "no handshake, no request: closed by the header timeout")
    }

    func testReloadServesTheNewCertificateToNewConnectionsWhileOpenOnesCarryOn() async throws {
        let open = try await RawHTTPClient.connect(port: edge.port, tls: ["http/1.1"])
        defer { open.close() }
        try await open.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let first = try await open.response()
        XCTAssertEqual(first.status, 200)
        let before = try await Curl.certificateName(base + "/")
        XCTAssertEqual(before, "edge-a")

        try certificates.copy("edge-b", over: "live")
        let store = try XCTUnwrap(edge.tls)
        TLSReloader(store: store, logger: quietLogger).reload()
        let after = try await Curl.certificateName(base + "/")
        XCTAssertEqual(after, "edge-b", "a new connection gets the new certificate")
        try await open.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let second = try await open.response()
        XCTAssertEqual(second.status, 200, "the open keep-alive connection carries on")
        XCTAssertFalse(open.isClosed)

        // A broken file: the reload fails and the certificate in use stays.
        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: certificates.certificate("live")))
        XCTAssertThrowsError(try store.reload())
        let kept = try await Curl.certificateName(base + "/")
        XCTAssertEqual(kept, "edge-b")
    }

    /// A client opening more streams than SETTINGS_MAX_CONCURRENT_STREAMS (8 here) is refused
    /// by the protocol and its connection closed, and the server goes on serving.
    func testStreamsBeyondTheLimitAreRefused() async throws {
        let client = try await RawHTTPClient.connect(port: edge.port, tls: ["h2"])
        defer { client.close() }
        try await client.send(
            bytes: Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + HTTP2Frames.frame(type: 0x4, flags: 0, stream: 0, payload: []))
        // The server's limit is in force once its SETTINGS are acknowledged (RFC 9113 §6.5.3).
        let settingsBy = ContinuousClock.now + .seconds(5)
        while !HTTP2Frames.parse(client.received).contains(where: { $0.type == 0x4 && $0.flags & 0x1 == 0 }),
            ContinuousClock.now < settingsBy
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        var bytes = HTTP2Frames.frame(type: 0x4, flags: 0x1, stream: 0, payload: [])
        for index in 0..<40 {
            // HEADERS without END_STREAM: each request stays open, waiting for a body.
            bytes += HTTP2Frames.frame(type: 0x1, flags: 0x4, stream: UInt32(1 + 2 * index), payload: HTTP2Frames.getRoot)
        }
        try await client.send(bytes: bytes)
        let until = ContinuousClock.now + .seconds(5)
        var refused: [HTTP2Frames.Frame] = []
        while ContinuousClock.now < until {
            refused = HTTP2Frames.parse(client.received).filter { $0.type == 0x3 || $0.type == 0x7 }
            if refused.count >= 32 || refused.contains(where: { $0.type == 0x7 }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // swift-nio-http2 treats the excess as a connection error: GOAWAY (PROTOCOL_ERROR), then close.
        XCTAssertFalse(refused.isEmpty, "streams past the limit are reset or the connection is told GOAWAY")
        let resets = refused.filter { $0.type == 0x3 }
        XCTAssertTrue(resets.allSatisfy { $0.stream > 15 }, "the first 8 streams are not reset: \(resets.map(\.stream))")
        if refused.contains(where: { $0.type == 0x7 }) {
            _ = try await client.waitForClose(timeout: .seconds(5))
        }
        let after = try await Curl.fetch(base + "/", ["--http2"])
        XCTAssertEqual(after.status, 200)
    }
}
