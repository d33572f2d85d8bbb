import AppServerProtocol
import Foundation
import NIOCore
import RPC
import XCTest

@testable import EdgeService

final class ProxyTests: XCTestCase {
    func testForwardsHeadersClientAndRequestID() async throws {
        let script = WorkerScript()
        let worker = try await FakeWorker.start(name: "w1", script: script, inProcess: true)
        let edge = try await EdgeHarness.start(worker: worker) { $0.trustedProxies = "127.0.0.1/32" }
        try await edge.waitForWorkers()

        let response = try await edge.get(
            "/api/users/ana?page=2",
            headers: [
                "Host": "example.com:8443", "X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https",
                "X-Request-ID": "client-id-1", "Authorization": "Bearer t",
            ])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("X-Request-ID"), "client-id-1")
        XCTAssertEqual(response.header("X-Worker"), "w1")
        XCTAssertNil(response.header("Connection"), "the worker's hop-by-hop headers are dropped")
        let call = try XCTUnwrap(script.calls.last)
        XCTAssertEqual(call.metadata.requestID, "client-id-1")
        XCTAssertEqual(call.request.target, "/api/users/ana?page=2")
        XCTAssertEqual(call.request.clientAddress, "198.51.100.7")
        XCTAssertEqual(call.request.scheme, "https")
        XCTAssertEqual(call.request.host, "example.com")
        XCTAssertEqual(call.request.port, 8443)
        XCTAssertEqual(call.header("X-Forwarded-For"), "198.51.100.7, 127.0.0.1")
        XCTAssertEqual(call.header("X-Real-IP"), "198.51.100.7")
        XCTAssertEqual(call.header("X-Forwarded-Proto"), "https")
        XCTAssertEqual(call.header("X-Forwarded-Host"), "example.com:8443")
        XCTAssertEqual(call.header("Authorization"), "Bearer t")

        let generated = try await edge.get("/api/x", headers: ["X-Request-ID": "bad id with spaces"])
        let id = try XCTUnwrap(generated.header("X-Request-ID"))
        XCTAssertNotEqual(id, "bad id with spaces")
        XCTAssertEqual(script.calls.last?.metadata.requestID, id)
        await edge.stop()
        await worker.stop()
    }

    func testUntrustedForwardedForIsReplaced() async throws {
        let script = WorkerScript()
        let worker = try await FakeWorker.start(name: "w1", script: script, inProcess: true)
        let edge = try await EdgeHarness.start(worker: worker)
        try await edge.waitForWorkers()
        _ = try await edge.get("/api/x", headers: ["X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"])
        let call = try XCTUnwrap(script.calls.last)
        XCTAssertEqual(call.header("X-Forwarded-For"), "127.0.0.1")
        XCTAssertEqual(call.request.clientAddress, "127.0.0.1")
        XCTAssertEqual(call.request.scheme, "http")
        await edge.stop()
        await worker.stop()
    }

    func testChunkedBodyAnd100Continue() async throws {
        let script = WorkerScript()
        let worker = try await FakeWorker.start(name: "w1", script: script, inProcess: true)
        let edge = try await EdgeHarness.start(worker: worker) { $0.maximumBodySize = 100 }
        try await edge.waitForWorkers()
        let client = try await edge.connect()
        try await client.send(
            "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let chunked = try await client.response()
        XCTAssertEqual(chunked.status, 200)
        XCTAssertEqual(script.calls.last?.request.body, ByteBuffer(string: "hello world"))
        XCTAssertEqual(script.calls.last?.header("Content-Length"), "11")

        try await client.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try await client.response()
        XCTAssertEqual(interim.status, 100)
        try await client.send("ping")
        let answer1 = try await client.response()
        XCTAssertEqual(answer1.status, 200)
        XCTAssertEqual(script.calls.last?.request.body, ByteBuffer(string: "ping"))

        // Refused before the body: the final status comes instead of 100, then the connection closes.
        try await client.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
        let refused = try await client.response()
        XCTAssertEqual(refused.status, 413)
        _ = try await client.waitForClose(timeout: .seconds(2))

        // A chunked body growing past the limit is cut off too.
        let big = try await edge.connect()
        try await big.send(
            "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n\(String(repeating: "x", count: 100))\r\n")
        try await big.send("1\r\nx\r\n0\r\n\r\n")
        let answer2 = try await big.response()
        XCTAssertEqual(answer2.status, 413)
        await edge.stop()
        await worker.stop()
    }

    func testBodyTimeoutAnswers408() async throws {
        let worker = try await FakeWorker.start(name: "w1", script: WorkerScript(), inProcess: true)
        let edge = try await EdgeHarness.start(worker: worker) { $0.bodyTimeout = .milliseconds(300) }
        let client = try await edge.connect()
        try await client.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf")
        let response = try await client.response()
        XCTAssertEqual(response.status, 408)
        _ = try await client.waitForClose(timeout: .seconds(2))
        await edge.stop()
        await worker.stop()
    }

    func testBalancesOverTwoWorkers() async throws {
        let script = WorkerScript()
        let first = try await FakeWorker.start(name: "w1", script: script)
        let second = try await FakeWorker.start(name: "w2", script: script)
        let edge = try await EdgeHarness.start(workers: "\(first.target),\(second.target)")
        try await edge.waitForWorkers(connections: 2)
        for _ in 0..<40 {
            let answer3 = try await edge.get("/api/x")
            XCTAssertEqual(answer3.status, 200)
        }
        let counts = Dictionary(grouping: script.calls, by: \.worker).mapValues(\.count)
        XCTAssertGreaterThan(counts["w1"] ?? 0, 0, "\(counts)")
        XCTAssertGreaterThan(counts["w2"] ?? 0, 0, "\(counts)")
        await edge.stop()
        await first.stop()
        await second.stop()
    }

    /// A worker dies with the request in flight: GET is retried on the other worker; POST is not
    /// (the dead worker may have applied it) and gets 502, applied once.
    func testRetryOnAnotherWorkerOnlyWhenSafe() async throws {
        for method in ["GET", "POST"] {
            let script = WorkerScript()
            let first = try await FakeWorker.start(name: "w1", script: script)
            let second = try await FakeWorker.start(name: "w2", script: script)
            let workers = [first, second]
            let edge = try await EdgeHarness.start(workers: "\(first.target),\(second.target)")
            try await edge.waitForWorkers(connections: 2)

            let port = edge.port
            let pending = Task { try await RawHTTPClient.get("/api/hang", port: port, method: method) }
            let until = ContinuousClock.now + .seconds(5)
            while script.applied.isEmpty, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(10)) }
            let hanging = try XCTUnwrap(workers.first { $0.name == script.applied.first })
            await hanging.kill()
            let response = try await pending.value
            if method == "GET" {
                XCTAssertEqual(response.status, 200, response.text)
                XCTAssertEqual(script.applied.count, 2)
                XCTAssertNotEqual(response.header("X-Worker"), hanging.name)
            } else {
                XCTAssertEqual(response.status, 502, response.text)
                XCTAssertTrue(response.text.contains("bad_gateway"))
                XCTAssertEqual(script.applied, [hanging.name], "POST applied exactly once")
            }
            await edge.stop()
            for worker in workers { await worker.stop() }
        }
    }

    func testNoWorkerIs503TimeoutIs504FailureIs502() async throws {
        let unreachable = try await EdgeHarness.start()
        let none = try await unreachable.get("/api/x")
        XCTAssertEqual(none.status, 503)
        XCTAssertEqual(none.header("Retry-After"), "1")
        XCTAssertEqual(none.header("Content-Type"), "application/json")
        XCTAssertTrue(none.text.hasPrefix(#"{"error":"service_unavailable","message":"#), none.text)
        await unreachable.stop()

        let worker = try await FakeWorker.start(name: "w1", script: WorkerScript(), inProcess: true)
        let edge = try await EdgeHarness.start(worker: worker, upstreamTimeout: .milliseconds(300))
        try await edge.waitForWorkers()
        let start = ContinuousClock.now
        let late = try await edge.get("/api/sleep?ms=3000")
        XCTAssertEqual(late.status, 504)
        XCTAssertTrue(late.text.contains("gateway_timeout"))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
        let failed = try await edge.get("/api/fail")
        XCTAssertEqual(failed.status, 502)
        XCTAssertTrue(failed.text.contains("bad_gateway"))
        // Header fields a client must never see as sent: CR/LF in a value, a space in a name.
        for path in ["/api/splitting", "/api/badname"] {
            let invalid = try await edge.get(path)
            XCTAssertEqual(invalid.status, 502, path)
            XCTAssertNil(invalid.header("Set-Cookie"), path)
            XCTAssertNil(invalid.header("X-Evil"), path)
        }
        let stillServing = try await edge.get("/api/ok")
        XCTAssertEqual(stillServing.status, 200)
        await edge.stop()
        await worker.stop()
    }

    func testMaintenanceModeAnswersAPIWith503WhileStaticWorks() async throws {
        let flag = FileManager.default.temporaryDirectory.appendingPathComponent("edge-maintenance-\(UUID().uuidString).html")
        try Data("<h1>Back soon</h1>".utf8).write(to: flag)
        let worker = try await FakeWorker.start(name: "w1", script: WorkerScript(), inProcess: true)
        let edge = try await EdgeHarness.start(worker: worker) { $0.maintenanceFile = flag.path }
        try await edge.waitForWorkers()

        let page = try await edge.get("/api/x", headers: ["Accept": "text/html,*/*;q=0.8"])
        XCTAssertEqual(page.status, 503)
        XCTAssertEqual(page.text, "<h1>Back soon</h1>")
        XCTAssertEqual(page.header("Content-Type"), "text/html; charset=utf-8")
        let json = try await edge.get("/api/x", headers: ["Accept": "application/json"])
        XCTAssertEqual(json.status, 503)
        XCTAssertTrue(json.text.contains(#""error":"maintenance""#))
        let answer4 = try await edge.get("/")
        XCTAssertEqual(answer4.status, 200, "static files still work")

        try FileManager.default.removeItem(at: flag)
        edge.maintenance?.refresh()
        let answer5 = try await edge.get("/api/x")
        XCTAssertEqual(answer5.status, 200)
        await edge.stop()
        await worker.stop()
    }
}
