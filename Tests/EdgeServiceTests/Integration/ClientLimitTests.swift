import Foundation
import ServiceTestSupport
import XCTest

@testable import EdgeService

/// Limits on what clients together can make the real `edge` process hold: request bodies in
/// memory, time spent receiving one request, connections per address, descriptors.
final class ClientLimitTests: XCTestCase {
    /// Uploads that stall after sending most of their body hold it in memory until a timeout.
    /// Each is within `--max-body-size`; together they stop at `--request-body-budget`: the
    /// ones beyond are refused at their head (before sending a body, thanks to 100-continue)
    /// or, without an announced length, at the chunk that does not fit.
    func testStalledUploadsCannotBufferMoreThanTheBudgetAndTheRestAreRefused() async throws {
        let worker = try await FakeWorker.start(name: "w1", script: WorkerScript())
        defer { Task { await worker.stop() } }
        let budget = 256 * 1024
        let sent = 60_000
        let edge = try await EdgeProcess.start(
            workers: worker.target,
            environment: ["REQUEST_BODY_BUDGET": "\(budget)", "BODY_TIMEOUT": "60s", "REQUEST_TIMEOUT": "60s"])
        defer { edge.stop() }
        try await edge.waitForWorkers()

        var held: [RawHTTPClient] = []
        var refused: [TestResponse] = []
        for _ in 0..<12 {
            let client = try await RawHTTPClient.connect(port: edge.port)
            try await client.send(
                "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 65536\r\n"
                    + "Expect: 100-continue\r\n\r\n")
            let answer = try await client.response()
            guard answer.status == 100 else {
                refused.append(answer)
                _ = try await client.waitForClose(timeout: .seconds(2))
                continue
            }
            try await client.send(String(repeating: " ", count: sent))
            held.append(client)
            try await waitForMetric(edge, "http_request_body_bytes_buffered", toBe: Double(held.count * sent))
        }

        XCTAssertEqual(held.count, budget / sent, "as many stalled bodies as fit in the budget")
        let buffered = try await edge.metric("http_request_body_bytes_buffered") ?? -1
        XCTAssertLessThanOrEqual(buffered, Double(budget))
        XCTAssertEqual(refused.count, 12 - held.count)
        for response in refused {
            XCTAssertEqual(response.status, 503)
            XCTAssertEqual(response.header("Retry-After"), "1")
            XCTAssertEqual(response.header("Content-Type"), "application/json")
            XCTAssertTrue(response.text.contains(#""error":"busy""#), response.text)
        }

        // No length announced: refused at the chunk that passes the budget, mid-body.
        let chunked = try await RawHTTPClient.connect(port: edge.port)
        try await chunked.send(
            "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(30_000, radix: 16) + "\r\n" + String(repeating: " ", count: 30_000) + "\r\n")
        let midBody = try await chunked.response()
        XCTAssertEqual(midBody.status, 503)
        XCTAssertEqual(midBody.header("Retry-After"), "1")
        let refusals = try await edge.metric("http_request_body_budget_refusals_total")
        XCTAssertEqual(refusals, Double(refused.count + 1))
        let stillBuffered = try await edge.metric("http_request_body_bytes_buffered")
        XCTAssertEqual(stillBuffered, Double(held.count * sent), "the refused chunks were given back")

        // Bodies that go away give their bytes back.
        for client in held { client.close() }
        try await waitForMetric(edge, "http_request_body_bytes_buffered", toBe: 0)
        let client = try await RawHTTPClient.connect(port: edge.port)
        defer { client.close() }
        let body = "{\"text\":\"" + String(repeating: "a", count: 60_000) + "\"}"
        try await client.send(
            "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        let accepted = try await client.response()
        XCTAssertEqual(accepted.status, 200, accepted.text)
        try await waitForMetric(edge, "http_request_body_bytes_buffered", toBe: 0)
    }

    /// A client sending its body a byte at a time never pauses for the body timeout, yet is cut
    /// off at the request timeout from its first byte. A keep-alive connection's next request
    /// gets a clock of its own.
    func testATricklingClientIsCutOffAtTheRequestTimeout() async throws {
        let worker = try await FakeWorker.start(name: "w1", script: WorkerScript())
        defer { Task { await worker.stop() } }
        let edge = try await EdgeProcess.start(
            workers: worker.target, environment: ["HEADER_TIMEOUT": "1s", "BODY_TIMEOUT": "1s", "REQUEST_TIMEOUT": "2s"])
        defer { edge.stop() }
        try await edge.waitForWorkers()

        // Open well past the request timeout before a request that takes 1.2 s of it.
        let patient = try await RawHTTPClient.connect(port: edge.port)
        defer { patient.close() }
        try await patient.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try await patient.response()
        XCTAssertEqual(first.status, 200)
        try await Task.sleep(for: .milliseconds(2_200))
        try await patient.send("POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 6\r\n\r\n")
        for byte in ["{", "}", " ", " ", " ", " "] {
            try await Task.sleep(for: .milliseconds(200))
            try await patient.send(byte)
        }
        let second = try await patient.response()
        XCTAssertEqual(second.status, 200, "each request has its own clock")

        let trickler = try await RawHTTPClient.connect(port: edge.port)
        defer { trickler.close() }
        let start = ContinuousClock.now
        try await trickler.send("POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        var sentBytes = 0
        while trickler.unreadBytes == 0, !trickler.isClosed, ContinuousClock.now - start < .seconds(8) {
            try await Task.sleep(for: .milliseconds(250))
            try? await trickler.send(" ")
            sentBytes += 1
        }
        let elapsed = ContinuousClock.now - start
        let response = try await trickler.response(timeout: .seconds(1))
        XCTAssertEqual(response.status, 408)
        XCTAssertTrue(response.text.contains("request_timeout"), response.text)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertGreaterThan(elapsed, .milliseconds(1_800), "not before the request timeout")
        XCTAssertLessThan(elapsed, .milliseconds(3_500), "cut off at the request timeout (\(sentBytes) bytes sent), not left trickling")
        _ = try await trickler.waitForClose(timeout: .seconds(2))
        let timeouts = try await edge.metric("http_request_timeouts_total")
        XCTAssertEqual(timeouts, 1)
    }

    /// One address holding `--max-connections-per-address` connections is refused another
    /// (429); a second address is still served, and the first is again once one closes.
    func testOneAddressCannotOpenMoreThanItsShareOfConnections() async throws {
        let edge = try await EdgeProcess.start(environment: ["MAX_CONNECTIONS_PER_ADDRESS": "4", "HEADER_TIMEOUT": "30s"])
        defer { edge.stop() }

        var open: [RawHTTPClient] = []
        defer { for client in open { client.close() } }
        for _ in 0..<4 {
            let client = try await RawHTTPClient.connect(port: edge.port)
            // Answered: counted, whichever event loop took it.
            try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try await client.response()
            XCTAssertEqual(answer.status, 200)
            open.append(client)
        }
        let excess = try await RawHTTPClient.connect(port: edge.port)
        let refused = try await excess.response()
        XCTAssertEqual(refused.status, 429)
        XCTAssertEqual(refused.header("Retry-After"), "1")
        XCTAssertTrue(refused.text.contains("too_many_connections"), refused.text)
        _ = try await excess.waitForClose(timeout: .seconds(2))

        let other = try await RawHTTPClient.get("/", port: edge.port, from: "127.0.0.2")
        XCTAssertEqual(other.status, 200, "another address is served")

        open.removeFirst().close()
        let until = ContinuousClock.now + .seconds(3)
        var status = 0
        while status != 200, ContinuousClock.now < until {
            status = (try? await RawHTTPClient.get("/", port: edge.port).status) ?? 0
            if status != 200 { try await Task.sleep(for: .milliseconds(20)) }
        }
        XCTAssertEqual(status, 200, "a closed connection frees its slot")
        let refusals = try await edge.metric(#"http_connections_refused_total{reason="per_address"}"#)
        XCTAssertGreaterThanOrEqual(refusals ?? 0, 1)
    }

    /// Started with 256 descriptors, the edge lowers `--max-connections` (10 000) to what fits,
    /// with a warning, so the connections past that are answered 503 rather than left in the
    /// backlog by an `accept` failing with EMFILE; and it serves again once they close.
    func testWithALowDescriptorLimitExcessConnectionsAre503NotHung() async throws {
        let prlimit = "/usr/bin/prlimit"
        guard FileManager.default.isExecutableFile(atPath: prlimit) else {
            return XCTFail("\(prlimit) is needed to start the edge with a low open-file limit")
        }
        let descriptors = 256
        let edge = try await EdgeProcess.start(
            environment: ["HEADER_TIMEOUT": "60s", "MAX_CONNECTIONS_PER_ADDRESS": "0"],
            launcher: [prlimit, "--nofile=\(descriptors):\(descriptors)", "--"])
        defer { edge.stop() }
        let limits = try String(contentsOfFile: "/proc/\(edge.service.process.processIdentifier)/limits", encoding: .utf8)
        let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") } ?? ""
        XCTAssertEqual(openFiles.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).prefix(2), ["256", "256"])
        let capacity = descriptors - EdgeService.reservedDescriptors(softLimit: descriptors)
        let log = edge.service.standardOutput
        XCTAssertTrue(log.contains("lowered to fit its open-file limit"), log)
        XCTAssertTrue(log.contains("lowered-to=\(capacity)"), log)

        var clients: [RawHTTPClient] = []
        defer { for client in clients { client.close() } }
        for _ in 0..<descriptors {
            clients.append(try await RawHTTPClient.connect(port: edge.port))
        }
        let until = ContinuousClock.now + .seconds(5)
        var answered = 0
        while answered < descriptors - capacity, ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(50))
            answered = clients.filter { $0.unreadBytes > 0 }.count
        }
        XCTAssertEqual(answered, descriptors - capacity, "every connection past the lowered limit is answered, none left hanging")
        for client in clients where client.unreadBytes > 0 {
            let response = try await client.response()
            XCTAssertEqual(response.status, 503)
            XCTAssertTrue(response.text.contains("too_many_connections"), response.text)
        }
        let refusals = try await edge.metric(#"http_connections_refused_total{reason="max_connections"}"#)
        XCTAssertEqual(refusals, Double(descriptors - capacity))
        XCTAssertTrue(edge.isRunning, edge.exitDescription)

        for client in clients { client.close() }
        clients.removeAll()
        let servedBy = ContinuousClock.now + .seconds(5)
        var status = 0
        while status != 200, ContinuousClock.now < servedBy {
            status = (try? await RawHTTPClient.get("/", port: edge.port).status) ?? 0
            if status != 200 { try await Task.sleep(for: .milliseconds(50)) }
        }
        XCTAssertEqual(status, 200, "served again once the idle connections closed")
    }

    private func waitForMetric(_ edge: EdgeProcess, _ name: String, toBe expected: Double, timeout: Duration = .seconds(5)) async throws {
        let until = ContinuousClock.now + timeout
        var value = try await edge.metric(name)
        while value != expected, ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(20))
            value = try await edge.metric(name)
        }
        XCTAssertEqual(value, expected, name)
    }
}
