import Foundation
import ServiceTestSupport
import XCTest

/// The whole system (data, worker, edge as real processes against PostgreSQL) with the edge
/// terminating TLS, through real clients: curl over HTTP/2 and over HTTP/1.1 (verifying the
/// throwaway certificate), and `openssl s_client` for clients that, once their handshake is
/// done, send garbage or nothing at all.
final class TLSEndToEndTests: XCTestCase {
    /// Starts a stack with a TLS edge whose processes are stopped when the test ends, however it ends.
    private func startStack(edgeArguments: [String] = []) async throws -> HostileStack {
        let stack = HostileStack()
        addTeardownBlock { await stack.stop() }
        try await stack.start(tls: true, edgeArguments: edgeArguments)
        return stack
    }

    // MARK: - The API and static files

    func testAPIOverHTTP2() async throws {
        let stack = try await startStack()
        try await exerciseAPI(stack, curlOption: "--http2", version: "2", protocolLabel: "h2", user: "ana")
    }

    func testAPIOverHTTPS1_1() async throws {
        let stack = try await startStack()
        try await exerciseAPI(stack, curlOption: "--http1.1", version: "1.1", protocolLabel: "http/1.1", user: "bob")
    }

    /// Register, log in, post a micropost and read it back, each a new curl (so a new TLS
    /// connection) speaking `version`; the edge counts exactly those connections under
    /// `protocolLabel`, and the links the worker builds say https, as the edge told it.
    private func exerciseAPI(
        _ stack: HostileStack, curlOption: String, version: String, protocolLabel: String, user: String,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let connections = #"tls_connections_total{protocol="\#(protocolLabel)"}"#
        let connectionsBefore = try await edgeMetric(stack, connections)
        let failuresBefore = try await edgeMetric(stack, "tls_handshake_failures_total")
        var calls = 0
        func call(_ method: String, _ path: String, json: String? = nil, token: String? = nil) async throws -> APIReply {
            calls += 1
            let reply = try await api(stack, curlOption, method, path, json: json, token: token)
            XCTAssertEqual(reply.version, version, "\(method) \(path) spoke HTTP/\(reply.version)", file: file, line: line)
            return reply
        }

        let registered = try await call("POST", "/api/users", json: #"{"username":"\#(user)","password":"password123"}"#)
        XCTAssertEqual(registered.status, 201, registered.body, file: file, line: line)
        let taken = try await call("POST", "/api/users", json: #"{"username":"\#(user)","password":"password123"}"#)
        XCTAssertEqual(taken.status, 409, taken.body, file: file, line: line)
        let login = try await call(
            "POST", "/api/token", json: #"{"grant_type":"client_credentials","client_id":"\#(user)","client_secret":"password123"}"#)
        XCTAssertEqual(login.status, 200, login.body, file: file, line: line)
        let token = try XCTUnwrap(login.object["access_token"] as? String, login.body, file: file, line: line)
        let anonymous = try await call("GET", "/api/users/\(user)")
        XCTAssertEqual(anonymous.status, 401, anonymous.body, file: file, line: line)

        let text = "héllo over HTTP/\(version)"
        let posted = try await call("POST", "/api/users/\(user)/collection", json: #"{"text":"\#(text)"}"#, token: token)
        XCTAssertEqual(posted.status, 201, posted.body, file: file, line: line)
        let href = try XCTUnwrap(posted.object["href"] as? String, posted.body, file: file, line: line)
        XCTAssertTrue(
            href.hasPrefix("\(stack.edgeURL)/api/users/\(user)/collection/"), "a link for the client's scheme and port: \(href)",
            file: file, line: line)
        let path = try XCTUnwrap(URL(string: href)?.path, href, file: file, line: line)

        let read = try await call("GET", path, token: token)
        XCTAssertEqual(read.status, 200, read.body, file: file, line: line)
        XCTAssertEqual(read.object["text"] as? String, text, read.body, file: file, line: line)
        XCTAssertEqual(read.object["user"] as? String, user, read.body, file: file, line: line)
        let collection = try await call("GET", "/api/users/\(user)/collection", token: token)
        XCTAssertEqual(collection.status, 200, collection.body, file: file, line: line)
        let texts = (collection.object["result"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
        XCTAssertEqual(texts, [text], collection.body, file: file, line: line)

        let connectionsAfter = try await edgeMetric(stack, connections)
        XCTAssertEqual(
            connectionsAfter - connectionsBefore, Double(calls), "one \(protocolLabel) connection per curl", file: file, line: line)
        let failuresAfter = try await edgeMetric(stack, "tls_handshake_failures_total")
        XCTAssertEqual(failuresAfter, failuresBefore, "no failed handshakes", file: file, line: line)
        stack.assertAllAlive("after the API over HTTP/\(version)", file: file, line: line)
    }

    func testStaticFilesOverHTTP2() async throws {
        let stack = try await startStack()
        let certificate = try XCTUnwrap(stack.edgeCertificate)
        let index = try await Curl.fetch(stack.edgeURL + "/", ["--http2"], trusting: certificate)
        XCTAssertEqual(index.version, "2")
        XCTAssertEqual(index.status, 200)
        XCTAssertEqual(index.body, "<!doctype html><title>hostile</title>")
        let css = try await Curl.fetch(stack.edgeURL + "/static/site.css", ["--http2"], trusting: certificate)
        XCTAssertEqual(css.version, "2")
        XCTAssertEqual(css.status, 200)
        XCTAssertEqual(css.body, "body { color: red }")
        let range = try await Curl.fetch(stack.edgeURL + "/static/site.css", ["--http2", "-r", "7-11"], trusting: certificate)
        XCTAssertEqual(range.status, 206)
        XCTAssertEqual(range.body, "color")
        let head = try await Curl.run(["--http2", "-I", stack.edgeURL + "/static/site.css"], trusting: certificate)
        XCTAssertEqual(head.status, 0, head.stderr)
        let headers = head.stdout.lowercased()
        XCTAssertTrue(headers.hasPrefix("http/2 200"), head.stdout)
        XCTAssertTrue(headers.contains("content-type: text/css"), head.stdout)
        XCTAssertTrue(headers.contains("content-length: 19"), head.stdout)
        XCTAssertFalse(headers.contains("connection:"), "no HTTP/1 connection header in HTTP/2: \(head.stdout)")
        let missing = try await Curl.fetch(stack.edgeURL + "/static/missing.css", ["--http2"], trusting: certificate)
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.body.contains(#""not_found""#), missing.body)
        let served = try await edgeMetric(stack, #"http_requests_total{kind="static",status="2xx"}"#)
        XCTAssertEqual(served, 4, "index, file, range and HEAD")
    }

    // MARK: - Hostile clients over TLS

    /// Clients that complete their handshake and then send garbage are answered as their
    /// protocol says (a 400 on HTTP/1.1, GOAWAY on HTTP/2) and closed at once, not at a
    /// timeout; garbage instead of a handshake is a counted handshake failure; and the edge
    /// serves on.
    func testGarbageAfterTheHandshakeIsAnsweredAndClosed() async throws {
        // A header timeout far above the bounds below: a close must come from the garbage.
        let stack = try await startStack(edgeArguments: ["--header-timeout", "60s", "--keepalive-timeout", "60s"])
        let certificate = try XCTUnwrap(stack.edgeCertificate)
        var fuzz = FuzzBytes(seed: 0x7115_6A4B)
        let h2Before = try await edgeMetric(stack, #"tls_connections_total{protocol="h2"}"#)
        let h1Before = try await edgeMetric(stack, #"tls_connections_total{protocol="http/1.1"}"#)

        // HTTP/1.1: bytes that cannot begin a request line.
        let h1 = try await OpenSSLClient.run(
            port: stack.edgePort, alpn: "http/1.1", trusting: certificate,
            sending: [0x00, 0xFF, 0x0D, 0x0A] + fuzz.randomBytes(count: 4096))
        XCTAssertTrue(h1.handshakeCompleted, h1.stderr)
        XCTAssertTrue(h1.closedByServer, "HTTP/1.1 garbage left the connection open; \(h1.stderr)")
        XCTAssertLessThan(h1.elapsed, .seconds(10))
        XCTAssertTrue(h1.text.hasPrefix("HTTP/1.1 400 "), h1.text)
        XCTAssertEqual(h1.text.components(separatedBy: "HTTP/1.1 ").count - 1, 1, "one answer, then the close: \(h1.text)")

        // HTTP/2: garbage instead of the client preface.
        let badPreface = try await OpenSSLClient.run(
            port: stack.edgePort, alpn: "h2", trusting: certificate,
            sending: Array("GET / HTTP/1.1\r\n\r\n".utf8) + fuzz.randomBytes(count: 4096))
        XCTAssertTrue(badPreface.handshakeCompleted, badPreface.stderr)
        XCTAssertTrue(badPreface.closedByServer, "a bad preface left the connection open; \(badPreface.stderr)")
        XCTAssertLessThan(badPreface.elapsed, .seconds(10))
        let badPrefaceFrames = HTTP2Frames.parse(badPreface.stdout)
        XCTAssertEqual(badPrefaceFrames.first?.type, HTTP2Frames.settingsType, "the server's preface: \(badPreface.stdout)")
        XCTAssertEqual(badPrefaceFrames.compactMap(HTTP2Frames.goAwayErrorCode), [0x1], "GOAWAY with PROTOCOL_ERROR")

        // HTTP/2: a good preface, then a header block HPACK cannot decode.
        let badFrames = try await OpenSSLClient.run(
            port: stack.edgePort, alpn: "h2", trusting: certificate,
            sending: HTTP2Frames.clientPreface + HTTP2Frames.frame(type: HTTP2Frames.settingsType, flags: 0, stream: 0, payload: [])
                + HTTP2Frames.frame(type: 0x1, flags: 0x5, stream: 1, payload: [UInt8](repeating: 0xFF, count: 16))
                + fuzz.randomBytes(count: 1024))
        XCTAssertTrue(badFrames.handshakeCompleted, badFrames.stderr)
        XCTAssertTrue(badFrames.closedByServer, "bad frames left the connection open; \(badFrames.stderr)")
        XCTAssertLessThan(badFrames.elapsed, .seconds(10))
        let goAways = HTTP2Frames.parse(badFrames.stdout).compactMap(HTTP2Frames.goAwayErrorCode)
        XCTAssertEqual(goAways.count, 1, "one GOAWAY: \(HTTP2Frames.parse(badFrames.stdout).map(\.type))")
        XCTAssertNotEqual(goAways.first, 0, "GOAWAY names an error, not NO_ERROR")

        let h2After = try await edgeMetric(stack, #"tls_connections_total{protocol="h2"}"#)
        XCTAssertEqual(h2After - h2Before, 2)
        let h1After = try await edgeMetric(stack, #"tls_connections_total{protocol="http/1.1"}"#)
        XCTAssertEqual(h1After - h1Before, 1)
        let failures = try await edgeMetric(stack, "tls_handshake_failures_total")
        XCTAssertEqual(failures, 0, "those handshakes succeeded")

        // Garbage instead of a handshake: the TLS layer refuses it.
        let raw = try await HostileRawConnection.connect(port: stack.edgePort)
        await raw.send(fuzz.randomBytes(count: 2048))
        let rawClosed = await raw.waitForClose(timeout: .seconds(10))
        XCTAssertTrue(rawClosed, "garbage instead of a handshake left the connection open")
        XCTAssertFalse(String(decoding: raw.received, as: UTF8.self).hasPrefix("HTTP/"), "no plain answer on a TLS port")
        await raw.close()
        try await waitForEdgeMetric(stack, "tls_handshake_failures_total", toBe: 1)
        print(
            "[tls] garbage closed after: HTTP/1.1 \(h1.elapsed), bad preface \(badPreface.elapsed), bad frames \(badFrames.elapsed)")

        stack.assertAllAlive("after garbage over TLS")
        try await assertServesNormally(stack, "after garbage over TLS")
    }

    /// 150 requests multiplexed on one HTTP/2 connection, up to 100 streams at once (the
    /// edge's default limit): every one answered, on that one connection.
    func testManyConcurrentStreamsOnOneConnection() async throws {
        let stack = try await startStack()
        let certificate = try XCTUnwrap(stack.edgeCertificate)
        let token = try await registerAndLogIn(stack, "carol")
        let h2Before = try await edgeMetric(stack, #"tls_connections_total{protocol="h2"}"#)
        let apiBefore = try await edgeMetric(stack, #"http_requests_total{kind="api",status="2xx"}"#)
        let staticBefore = try await edgeMetric(stack, #"http_requests_total{kind="static",status="2xx"}"#)

        let apiCount = 100
        let staticCount = 50
        var targets: [String] = []
        for index in 0..<(apiCount + staticCount) {
            targets += ["-o", "/dev/null", stack.edgeURL + (index % 3 == 2 ? "/static/site.css" : "/api/users/carol")]
        }
        let result = try await Curl.run(
            [
                "--http2", "--parallel", "--parallel-max", "100", "-H", "Authorization: Bearer \(token)", "-w",
                "%{http_version} %{http_code} %{num_connects} %{size_download} %{url_effective}\n",
            ] + targets, trusting: certificate, timeout: .seconds(60))
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(lines.count, apiCount + staticCount, result.stdout)
        XCTAssertEqual(lines.filter { $0.count == 5 && $0[0] == "2" && $0[1] == "200" }.count, apiCount + staticCount, result.stdout)
        XCTAssertEqual(lines.compactMap { $0.count == 5 ? Int($0[2]) : nil }.reduce(0, +), 1, "all on one connection: \(result.stdout)")
        let staticSizes = Set(lines.filter { $0.count == 5 && $0[4].hasSuffix("/site.css") }.map { $0[3] })
        XCTAssertEqual(staticSizes, ["19"], "every static answer whole")
        let apiSizes = Set(lines.filter { $0.count == 5 && $0[4].hasSuffix("/carol") }.map { $0[3] })
        XCTAssertEqual(apiSizes.count, 1, "every API answer the same user: \(apiSizes)")

        let h2After = try await edgeMetric(stack, #"tls_connections_total{protocol="h2"}"#)
        XCTAssertEqual(h2After - h2Before, 1, "one connection")
        let apiAfter = try await edgeMetric(stack, #"http_requests_total{kind="api",status="2xx"}"#)
        XCTAssertEqual(apiAfter - apiBefore, Double(apiCount))
        let staticAfter = try await edgeMetric(stack, #"http_requests_total{kind="static",status="2xx"}"#)
        XCTAssertEqual(staticAfter - staticBefore, Double(staticCount))
        stack.assertAllAlive("after \(apiCount + staticCount) streams")
        try await assertServesNormally(stack, "after many streams")
    }

    /// Clients that connect and then say nothing, or too little, are closed by the header
    /// timeout (2 s here), not before and not much after: before a handshake, after one on
    /// HTTP/1.1 (silent, or a head that never ends), after one on HTTP/2 (silent, or a preface
    /// and no stream).
    func testSlowClientsAreClosedAfterTheHeaderTimeout() async throws {
        let timeout = Duration.seconds(2)
        let stack = try await startStack(edgeArguments: ["--header-timeout", "2s", "--keepalive-timeout", "60s"])
        let certificate = try XCTUnwrap(stack.edgeCertificate)
        let port = stack.edgePort
        let bound = timeout + .seconds(8)

        async let silentHTTP1 = OpenSSLClient.run(port: port, alpn: "http/1.1", trusting: certificate, sending: [], timeout: bound)
        async let partialHead = OpenSSLClient.run(
            port: port, alpn: "http/1.1", trusting: certificate, sending: Array("GET /api/users/nobody HTTP/1.1\r\nHost: x\r\n".utf8),
            timeout: bound)
        async let silentHTTP2 = OpenSSLClient.run(port: port, alpn: "h2", trusting: certificate, sending: [], timeout: bound)
        async let prefaceOnly = OpenSSLClient.run(
            port: port, alpn: "h2", trusting: certificate,
            sending: HTTP2Frames.clientPreface + HTTP2Frames.frame(type: HTTP2Frames.settingsType, flags: 0, stream: 0, payload: []),
            timeout: bound)
        async let noHandshake = Self.silentTCP(port: port, timeout: bound)

        let runs = try await [
            ("silent HTTP/1.1", silentHTTP1), ("unfinished head", partialHead), ("silent HTTP/2", silentHTTP2),
            ("HTTP/2 preface only", prefaceOnly),
        ]
        for (name, run) in runs {
            XCTAssertTrue(run.handshakeCompleted, "\(name): \(run.stderr)")
            XCTAssertTrue(run.closedByServer, "\(name) was not closed within \(bound)")
            XCTAssertGreaterThanOrEqual(run.elapsed, timeout - .milliseconds(100), "\(name) closed before the header timeout")
            XCTAssertFalse(run.text.contains("HTTP/1.1 5"), "\(name): \(run.text)")
        }
        XCTAssertEqual(HTTP2Frames.parse(runs[2].1.stdout).first?.type, HTTP2Frames.settingsType, "HTTP/2 was spoken")
        let (tcpClosed, tcpElapsed) = try await noHandshake
        XCTAssertTrue(tcpClosed, "a connection without a handshake was not closed within \(bound)")
        XCTAssertGreaterThanOrEqual(tcpElapsed, timeout - .milliseconds(100), "closed before the header timeout")
        print(
            "[tls] slow clients closed after: \(runs.map { "\($0.0) \($0.1.elapsed)" }.joined(separator: ", ")), no handshake \(tcpElapsed)"
        )

        stack.assertAllAlive("after slow clients")
        try await assertServesNormally(stack, "after slow clients")
    }

    /// Connects without TLS and sends nothing: whether and when the edge closes.
    private static func silentTCP(port: Int, timeout: Duration) async throws -> (closed: Bool, elapsed: Duration) {
        let start = ContinuousClock.now
        let connection = try await HostileRawConnection.connect(port: port)
        let closed = await connection.waitForClose(timeout: timeout)
        let elapsed = ContinuousClock.now - start
        await connection.close()
        return (closed, elapsed)
    }

    // MARK: - Helpers

    struct APIReply {
        var version: String
        var status: Int
        var body: String
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    /// One API call through the TLS edge with curl (`curlOption`: `--http2` or `--http1.1`),
    /// verifying the edge's certificate.
    private func api(
        _ stack: HostileStack, _ curlOption: String, _ method: String, _ path: String, json: String? = nil, token: String? = nil
    ) async throws -> APIReply {
        var options = [curlOption, "-X", method]
        if let json { options += ["-H", "Content-Type: application/json", "--data-binary", json] }
        if let token { options += ["-H", "Authorization: Bearer \(token)"] }
        let reply = try await Curl.fetch(stack.edgeURL + path, options, trusting: try XCTUnwrap(stack.edgeCertificate))
        return APIReply(version: reply.version, status: reply.status, body: reply.body)
    }

    private func registerAndLogIn(_ stack: HostileStack, _ user: String) async throws -> String {
        let registered = try await api(stack, "--http2", "POST", "/api/users", json: #"{"username":"\#(user)","password":"password123"}"#)
        XCTAssertEqual(registered.status, 201, registered.body)
        let login = try await api(
            stack, "--http2", "POST", "/api/token",
            json: #"{"grant_type":"client_credentials","client_id":"\#(user)","client_secret":"password123"}"#)
        XCTAssertEqual(login.status, 200, login.body)
        return try XCTUnwrap(login.object["access_token"] as? String, login.body)
    }

    /// A new user registers, logs in, writes and reads over HTTP/2: the edge still serves.
    private func assertServesNormally(_ stack: HostileStack, _ context: String, file: StaticString = #filePath, line: UInt = #line)
        async throws
    {
        let user = "u\(UUID().uuidString.prefix(8).lowercased())"
        let token = try await registerAndLogIn(stack, user)
        let write = try await api(stack, "--http2", "POST", "/api/users/\(user)/collection", json: #"{"text":"\#(context)"}"#, token: token)
        XCTAssertEqual(write.status, 201, "write \(context): \(write.body)", file: file, line: line)
        let read = try await api(stack, "--http2", "GET", "/api/users/\(user)/collection", token: token)
        XCTAssertEqual(read.status, 200, "read \(context): \(read.body)", file: file, line: line)
        XCTAssertTrue(read.body.contains(context), "read \(context): \(read.body)", file: file, line: line)
    }

    /// The value of `series` on the edge's `/metrics` (0 when it is not there yet).
    private func edgeMetric(_ stack: HostileStack, _ series: String) async throws -> Double {
        let edge = try XCTUnwrap(stack.edge)
        let metrics = try await httpGet(port: edge.service.adminPort, path: "/metrics").body
        let line = metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }
        return line.flatMap { Double($0.dropFirst(series.count + 1)) } ?? 0
    }

    private func waitForEdgeMetric(
        _ stack: HostileStack, _ series: String, toBe value: Double, file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let until = ContinuousClock.now + .seconds(5)
        var current = try await edgeMetric(stack, series)
        while current != value, ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(50))
            current = try await edgeMetric(stack, series)
        }
        XCTAssertEqual(current, value, series, file: file, line: line)
    }
}

/// `openssl s_client` against the TLS edge: a real TLS client that verifies the edge's
/// certificate, offers one ALPN protocol and, once its handshake is done, sends exactly the
/// given bytes (or nothing) and then keeps its side open (`-ign_eof`) until the edge closes.
enum OpenSSLClient {
    struct Run: Sendable {
        /// What the edge sent after the handshake.
        var stdout: [UInt8]
        var stderr: String
        /// From start to the edge's close (or to `timeout`).
        var elapsed: Duration
        /// The edge closed the connection within the timeout (s_client exited by itself).
        var closedByServer: Bool
        var text: String { String(decoding: stdout, as: UTF8.self) }
        /// `-brief` reports a verified handshake so.
        var handshakeCompleted: Bool { stderr.contains("CONNECTION ESTABLISHED") }
    }

    static func run(port: Int, alpn: String, trusting certificate: String, sending bytes: [UInt8], timeout: Duration = .seconds(10))
        async throws -> Run
    {
        // s_client sends what it reads once the handshake is done and, with -ign_eof, keeps its
        // side open until the edge closes.
        let run = try await ToolProcess.run(
            [
                "openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-alpn", alpn, "-CAfile", certificate, "-verify_return_error",
                "-brief", "-ign_eof",
            ], input: bytes, timeout: timeout)
        return Run(stdout: run.stdout, stderr: run.stderr, elapsed: run.elapsed, closedByServer: run.exitedByItself)
    }
}
