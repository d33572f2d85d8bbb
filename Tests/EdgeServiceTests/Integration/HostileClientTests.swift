import Foundation
import ServiceTestSupport
import XCTest

/// Pipelining and non-reading clients against the real `edge` executable: a stack overflow
/// must show as a dead process rather than take the test runner with it, and memory and
/// descriptors are the process's own.
final class HostileClientTests: XCTestCase {
    /// Every request but the first is answered synchronously (a cache hit), each one as the
    /// previous response is written. Answered from inside that write, one stack level deeper
    /// each, 40 000 of them overflowed the release edge's stack; far fewer overflow a debug one.
    func testFiftyThousandPipelinedRequestsBehindAnAsynchronousOneAreAllAnswered() async throws {
        let worker = try await FakeWorker.start(name: "w1", script: WorkerScript())
        defer { Task { await worker.stop() } }
        let edge = try await EdgeProcess.start(workers: worker.target, environment: ["MAX_PIPELINED_REQUESTS": "100000"])
        defer { edge.stop() }
        try await edge.waitForWorkers()

        let client = try await RawHTTPClient.connect(port: edge.port)
        // While the first request waits for its worker the edge reads nothing more, so the
        // next write piles up in the socket buffers and arrives in one read, behind another
        // request answered later.
        try await client.send("GET /api/sleep?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .milliseconds(100))
        let count = 50_000
        try await client.send(
            "GET /api/sleep?ms=1 HTTP/1.1\r\nHost: x\r\n\r\n" + String(repeating: "GET / HTTP/1.1\r\n\r\n", count: count)
                + "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        _ = try await client.waitForClose(timeout: .seconds(180))

        XCTAssertTrue(edge.isRunning, "the edge died: \(edge.exitDescription)")
        let answered = client.unreadText.occurrences(of: "HTTP/1.1 200 OK\r\n")
        XCTAssertEqual(answered, count + 3, "every pipelined request is answered, in one connection")
        let after = try await RawHTTPClient.get("/", port: edge.port)
        XCTAssertEqual(after.status, 200)
        // The 900 requests left unanswered are not counted as in flight once their connection is gone.
        try await edge.waitForMetric("http_requests_in_flight", toBe: 0)
        try await edge.waitForMetric("http_connections_open", toBe: 0)
    }

    /// The default limit: the request in hand and 100 waiting behind it are answered, the last
    /// with `Connection: close`; the rest are dropped, and the connection closes without a
    /// reset that could destroy those answers.
    func testRequestsPipelinedBeyondTheLimitAreLeftUnansweredAndTheConnectionCloses() async throws {
        let worker = try await FakeWorker.start(name: "w1", script: WorkerScript())
        defer { Task { await worker.stop() } }
        let edge = try await EdgeProcess.start(workers: worker.target)
        defer { edge.stop() }
        try await edge.waitForWorkers()

        let client = try await RawHTTPClient.connect(port: edge.port)
        try await client.send(
            "GET /api/sleep?ms=200 HTTP/1.1\r\nHost: x\r\n\r\n" + String(repeating: "GET / HTTP/1.1\r\n\r\n", count: 1_000))
        _ = try await client.waitForClose(timeout: .seconds(10))

        let text = client.unreadText
        XCTAssertEqual(text.occurrences(of: "HTTP/1.1 200 OK\r\n"), 101)
        let lastHead = text.components(separatedBy: "HTTP/1.1 ").last ?? ""
        XCTAssertTrue(lastHead.lowercased().contains("connection: close"), lastHead)
        let overflows = try await edge.metric("http_pipeline_overflows_total")
        XCTAssertEqual(overflows, 1)
        XCTAssertTrue(edge.isRunning)
        let after = try await RawHTTPClient.get("/", port: edge.port)
        XCTAssertEqual(after.status, 200)
        // The 900 requests left unanswered are not counted as in flight once their connection is gone.
        try await edge.waitForMetric("http_requests_in_flight", toBe: 0)
        try await edge.waitForMetric("http_connections_open", toBe: 0)
    }

    /// Two clients pipeline thousands of requests (2 000 × 256 KiB from a worker, 2 000 × a
    /// 1 MiB file) and never read. Without backpressure the edge queued every response (and
    /// held a descriptor for each file); now it stops at a response or two per connection,
    /// still serves others, and closes both once nothing was taken for the send timeout.
    func testClientsThatDoNotReadHoldLittleMemoryNoDescriptorsAndAreCutAfterTheSendTimeout() async throws {
        let worker = try await FakeWorker.start(name: "w1", script: WorkerScript())
        defer { Task { await worker.stop() } }
        let edge = try await EdgeProcess.start(
            workers: worker.target,
            files: ["index.html": Array("home".utf8), "big.bin": Array(repeating: UInt8(ascii: "f"), count: 1 << 20)],
            environment: ["MAX_PIPELINED_REQUESTS": "100000", "SEND_TIMEOUT": "3s"])
        defer { edge.stop() }
        try await edge.waitForWorkers()
        let warmFile = try await RawHTTPClient.get("/static/big.bin", port: edge.port)
        XCTAssertEqual(warmFile.body.count, 1 << 20)
        let baseline = (memory: try edge.residentBytes(), descriptors: try edge.openDescriptors())

        let api = try await StalledHTTPClient.connect(port: edge.port)
        defer { api.close() }
        api.send(String(repeating: "GET /api/big?kb=256 HTTP/1.1\r\nHost: x\r\n\r\n", count: 2_000))
        let files = try await StalledHTTPClient.connect(port: edge.port)
        defer { files.close() }
        files.send(String(repeating: "GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n", count: 2_000))

        var peak = baseline
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .milliseconds(2_500) {
            guard edge.isRunning else { break }
            peak.memory = max(peak.memory, try edge.residentBytes())
            peak.descriptors = max(peak.descriptors, try edge.openDescriptors())
            try await Task.sleep(for: .milliseconds(50))
        }
        let normal = try await RawHTTPClient.get("/", port: edge.port)
        XCTAssertEqual(normal.text, "home", "another client is served meanwhile")
        let grown = peak.memory - baseline.memory
        XCTAssertLessThan(grown, 48 << 20, "resident memory grew by \(grown >> 20) MiB")
        XCTAssertLessThan(peak.descriptors - baseline.descriptors, 12, "descriptors: \(baseline.descriptors) → \(peak.descriptors)")

        let until = start + .seconds(5)
        var timeouts = try await edge.metric("http_send_timeouts_total")
        while timeouts != 2, ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(100))
            timeouts = try await edge.metric("http_send_timeouts_total")
        }
        XCTAssertEqual(timeouts, 2, "both connections are closed by the send timeout")
        XCTAssertGreaterThan(ContinuousClock.now - start, .milliseconds(2_500), "not before it")
        try await api.startReading()
        try await files.startReading()
        let closedBy = ContinuousClock.now + .seconds(5)
        while !(api.isClosed && files.isClosed), ContinuousClock.now < closedBy {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertTrue(api.isClosed && files.isClosed, "api: \(api.isClosed) after \(api.receivedBytes) bytes, files: \(files.isClosed)")
        try await edge.waitForMetric("http_requests_in_flight", toBe: 0)
        try await edge.waitForMetric("http_connections_open", toBe: 0)
    }
}

/// The real `edge` executable on a free loopback port over a temporary static folder, its
/// access log off (nobody drains its output pipe).
final class EdgeProcess: Sendable {
    let service: ServiceProcess
    let port: Int
    let root: URL

    static func start(
        workers: String = "127.0.0.1:1", files: [String: [UInt8]] = ["index.html": Array("<h1>home</h1>\n".utf8)],
        environment: [String: String] = [:], launcher: [String] = []
    ) async throws -> EdgeProcess {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("edge-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, content) in files {
            try Data(content).write(to: root.appendingPathComponent(path))
        }
        let port = try freePort()
        let service = try ServiceProcess(
            "edge",
            arguments: ["--http-listen", "127.0.0.1:\(port)", "--worker-target", workers, "--static-root", root.path],
            environment: ["ACCESS_LOG": "false"].merging(environment) { $1 }, launcher: launcher)
        try await service.waitForAdmin("/readyz", status: 200)
        return EdgeProcess(service: service, port: port, root: root)
    }

    private init(service: ServiceProcess, port: Int, root: URL) {
        self.service = service
        self.port = port
        self.root = root
    }

    var isRunning: Bool { service.process.isRunning }

    var exitDescription: String {
        guard !service.process.isRunning else { return "running" }
        let reason = service.process.terminationReason == .uncaughtSignal ? "signal" : "exit"
        return "\(reason) \(service.process.terminationStatus): \(service.standardError.suffix(2_000))"
    }

    /// Until an API request is answered by a worker rather than refused for want of one.
    func waitForWorkers() async throws {
        let until = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < until {
            if let response = try? await RawHTTPClient.get("/api/ready", port: port), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("the edge never reached its worker")
    }

    /// VmRSS from /proc, in bytes.
    func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(service.process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw TestFailure("no VmRSS in /proc status") }
        return kibibytes * 1024
    }

    func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(service.process.processIdentifier)/fd").count
    }

    /// The value of a metric on the admin port's `/metrics`, named with its labels as
    /// rendered (`name{label="value"}`) if it has any; nil when absent.
    func metric(_ name: String) async throws -> Double? {
        let text = try await httpGet(port: service.adminPort, path: "/metrics").body
        return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }

    /// Polls `name` until it reads `value` (bounded), then asserts it does.
    func waitForMetric(_ name: String, toBe value: Double, file: StaticString = #filePath, line: UInt = #line) async throws {
        let until = ContinuousClock.now + .seconds(3)
        var current = try await metric(name)
        while current != value, ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(50))
            current = try await metric(name)
        }
        XCTAssertEqual(current, value, name, file: file, line: line)
    }

    func stop() {
        if service.process.isRunning { kill(service.process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: root)
    }
}

extension String {
    /// A byte-wise count: Foundation's `range(of:)` on Linux is too slow for megabytes of responses.
    func occurrences(of needle: String) -> Int {
        let haystack = Array(utf8)
        let needle = Array(needle.utf8)
        guard let first = needle.first, haystack.count >= needle.count else { return 0 }
        var count = 0
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) {
                count += 1
                index += needle.count
            } else {
                index += 1
            }
        }
        return count
    }
}
