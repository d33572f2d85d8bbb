import Foundation
import XCTest

@testable import EdgeService

final class ConnectionTests: XCTestCase {
    func testKeepAliveAndPipelinedResponsesComeBackInOrder() async throws {
        let edge = try await EdgeHarness.start(files: ["1.txt": "one", "2.txt": "two", "3.txt": "three"])
        let client = try await edge.connect()
        try await client.send(
            "GET /static/1.txt HTTP/1.1\r\nHost: x\r\nX-Request-ID: a\r\n\r\nHEAD /static/2.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /static/3.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try await client.response()
        XCTAssertEqual(first.text, "one")
        XCTAssertEqual(first.header("X-Request-ID"), "a")
        let second = try await client.response(isHead: true)
        XCTAssertEqual(second.header("Content-Length"), "3")
        let answer1 = try await client.response()
        XCTAssertEqual(answer1.text, "three")
        let answer2 = try await client.response()
        XCTAssertEqual(answer2.status, 404)
        // Still open for more.
        try await client.send("GET /static/2.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer3 = try await client.response()
        XCTAssertEqual(answer3.text, "two")
        XCTAssertFalse(client.isClosed)
        client.close()
        await edge.stop()
    }

    func testHTTP10ClosesUnlessKeepAliveAsked() async throws {
        let edge = try await EdgeHarness.start()
        let plain = try await edge.connect()
        try await plain.send("GET / HTTP/1.0\r\n\r\n")
        let response = try await plain.response()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Connection"), "close")
        _ = try await plain.waitForClose(timeout: .seconds(2))

        let keepAlive = try await edge.connect()
        try await keepAlive.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let answer4 = try await keepAlive.response()
        XCTAssertEqual(answer4.header("Connection"), "keep-alive")
        try await keepAlive.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let answer5 = try await keepAlive.response()
        XCTAssertEqual(answer5.status, 200)
        keepAlive.close()

        let close = try await edge.connect()
        try await close.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer6 = try await close.response()
        XCTAssertEqual(answer6.header("Connection"), "close")
        _ = try await close.waitForClose(timeout: .seconds(2))
        await edge.stop()
    }

    func testHeaderSizeLimitAnswers431() async throws {
        let edge = try await EdgeHarness.start { $0.maximumHeaderSize = 1024 }
        let client = try await edge.connect()
        try await client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n")
        let response = try await client.response()
        XCTAssertEqual(response.status, 431)
        XCTAssertTrue(response.text.contains("headers_too_large"))
        _ = try await client.waitForClose(timeout: .seconds(2))
        let answer7 = try await edge.get("/", headers: ["X-Small": "a"])
        XCTAssertEqual(answer7.status, 200)
        await edge.stop()
    }

    func testSlowlorisIsCutOffWithinTheHeaderTimeout() async throws {
        let edge = try await EdgeHarness.start { $0.headerTimeout = .milliseconds(500) }
        let client = try await edge.connect()
        let start = ContinuousClock.now
        let request = Array("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: \(String(repeating: "s", count: 100))\r\n\r\n".utf8)
        for byte in request {
            if client.isClosed { break }
            try? await client.send(bytes: [byte])
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = try await client.waitForClose(timeout: .seconds(3))
        let elapsed = ContinuousClock.now - start
        XCTAssertLessThan(elapsed, .milliseconds(1500), "cut off after \(elapsed)")
        XCTAssertEqual(client.unreadBytes, 0, "no response for a request never received")

        // A connection that says nothing at all is closed by the same timeout.
        let silent = try await edge.connect()
        let closedAfter = try await silent.waitForClose(timeout: .seconds(3))
        XCTAssertLessThan(closedAfter, .milliseconds(1500))
        await edge.stop()
    }

    func testIdleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout() async throws {
        let edge = try await EdgeHarness.start {
            $0.keepaliveTimeout = .milliseconds(300)
            $0.headerTimeout = .seconds(5)
        }
        let client = try await edge.connect()
        try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try await client.response()
        let closedAfter = try await client.waitForClose(timeout: .seconds(3))
        XCTAssertLessThan(closedAfter, .seconds(1))
        await edge.stop()
    }

    /// The keep-alive timeout counts from when a response has gone out, not from when it was
    /// queued: a client taking a large file slowly is not cut off. The file is larger than
    /// the kernel's send buffer can take (4 MiB at most here), else it would all be gone.
    func testASlowDownloadIsNotCutShortByTheKeepAliveTimeout() async throws {
        let size = 8 << 20
        let edge = try await EdgeHarness.start(files: ["big.bin": String(repeating: "x", count: size)]) {
            $0.keepaliveTimeout = .milliseconds(300)
        }
        let client = try await StalledHTTPClient.connect(port: edge.port, receiveBuffer: 16 * 1024)
        client.send("GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        let start = ContinuousClock.now
        while client.receivedBytes < size, !client.isClosed, ContinuousClock.now - start < .seconds(30) {
            client.read()
            try await Task.sleep(for: .milliseconds(5))
        }
        XCTAssertGreaterThan(ContinuousClock.now - start, .milliseconds(600), "slower than the keep-alive timeout")
        XCTAssertGreaterThan(client.receivedBytes, size, "the head and the whole file arrived")
        client.close()
        await edge.stop()
    }

    func testMaximumConnections() async throws {
        let edge = try await EdgeHarness.start { $0.maximumConnections = 2 }
        let first = try await edge.connect()
        let second = try await edge.connect()
        try await first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try await first.response()
        let third = try await edge.connect()
        let refused = try await third.response()
        XCTAssertEqual(refused.status, 503)
        XCTAssertTrue(refused.text.contains("too_many_connections"))
        _ = try await third.waitForClose(timeout: .seconds(2))
        second.close()
        _ = try await second.waitForClose()
        // A slot is free again once a connection closes.
        let until = ContinuousClock.now + .seconds(2)
        var status = 0
        while ContinuousClock.now < until {
            status = (try? await edge.get("/").status) ?? 0
            if status == 200 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertEqual(status, 200)
        first.close()
        await edge.stop()
    }

    func testRateLimitAnswers429WithRetryAfter() async throws {
        let edge = try await EdgeHarness.start {
            $0.rateLimit = 1
            $0.rateLimitBurst = 2
        }
        let client = try await edge.connect()
        var statuses: [Int] = []
        for _ in 0..<3 {
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await client.response()
            statuses.append(response.status)
            if response.status == 429 {
                XCTAssertEqual(response.header("Retry-After"), "1")
                XCTAssertTrue(response.text.contains("rate_limited"))
            }
        }
        XCTAssertEqual(statuses, [200, 200, 429])
        client.close()
        await edge.stop()
    }

    /// Beyond `--rate-limit-tracked-clients`, new addresses share one bucket: a flood from
    /// many addresses throttles newcomers together instead of growing the table.
    func testRateLimitTracksAtMostTheConfiguredClients() async throws {
        let edge = try await EdgeHarness.start {
            $0.rateLimit = 1
            $0.rateLimitBurst = 1
            $0.rateLimitTrackedClients = 1
            $0.trustedProxies = "127.0.0.1/32"
        }
        var statuses: [Int] = []
        for client in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
            statuses.append(try await edge.get("/", headers: ["X-Forwarded-For": client]).status)
        }
        XCTAssertEqual(statuses, [200, 200, 429], "the first address has its own bucket; the next two share the overflow one")
        await edge.stop()
    }
}
