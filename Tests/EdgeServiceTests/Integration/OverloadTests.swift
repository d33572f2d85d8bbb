import ServiceKit
import XCTest

@testable import EdgeService

/// The edge's concurrency limit in front of the workers: what cannot be served soon is refused
/// at once with 503 and `Retry-After`, and what can is served.
final class OverloadTests: XCTestCase {
    func testPastTheLimitRequestsWaitBrieflyThenAreRefusedFast() async throws {
        let script = WorkerScript()
        let worker = try await FakeWorker.start(name: "w1", script: script, inProcess: true)
        let edge = try await EdgeHarness.start(worker: worker) { configuration in
            configuration.upstreamConcurrency.mode = .fixed(2)
            configuration.upstreamConcurrency.queueSize = 1
            configuration.upstreamConcurrency.queueTimeout = .seconds(1)
        }
        try await edge.waitForWorkers()
        let limiter = try XCTUnwrap(edge.server.app.proxies.first?.limiter)

        let busy = (0..<2).map { _ in Task { try await edge.get("/api/sleep?ms=3000") } }
        for _ in 0..<2_000 where limiter.snapshot.inFlight < 2 { try await Task.sleep(for: .milliseconds(1)) }
        XCTAssertEqual(limiter.snapshot.inFlight, 2)

        let clock = ContinuousClock()
        let start = clock.now
        let queued = Task { try await edge.get("/api/x") }
        for _ in 0..<2_000 where limiter.snapshot.queued < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let overflow = try await edge.get("/api/x")
        XCTAssertEqual(overflow.status, 503, "the queue is full: refused at once")
        XCTAssertEqual(overflow.header("Retry-After"), "1")
        XCTAssertTrue(overflow.text.contains(#""error":"busy""#), overflow.text)
        XCTAssertLessThan(clock.now - start, .milliseconds(900), "without waiting for the queue timeout")

        let timedOut = try await queued.value
        let waited = clock.now - start
        XCTAssertEqual(timedOut.status, 503, "its wait in the queue ran out")
        XCTAssertEqual(timedOut.header("Retry-After"), "1")
        XCTAssertGreaterThanOrEqual(waited, .seconds(1))
        XCTAssertLessThan(waited, .milliseconds(2_500), "refused at its queue timeout, not when a place freed")

        for task in busy {
            let response = try await task.value
            XCTAssertEqual(response.status, 200)
        }
        let after = try await edge.get("/api/x")
        XCTAssertEqual(after.status, 200)
        XCTAssertEqual(limiter.snapshot.inFlight, 0)
        XCTAssertEqual(script.calls.count, 3, "refused requests never reached a worker")
        await edge.stop()
        await worker.stop()
    }

    func testABurstAboveTheInitialLimitIsQueuedNotRefused() async throws {
        let script = WorkerScript()
        let worker = try await FakeWorker.start(name: "w1", script: script, inProcess: true)
        // A long queue timeout: under a sanitizer a wave of requests takes far longer than 50 ms.
        let edge = try await EdgeHarness.start(worker: worker) {
            $0.upstreamConcurrency.mode = .fixed(64)
            $0.upstreamConcurrency.queueTimeout = .seconds(10)
        }
        try await edge.waitForWorkers()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<150 { group.addTask { try await edge.get("/api/sleep?ms=5").status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(statuses.filter { $0 == 200 }.count, 150, "150 at once against a limit of 64: \(statuses)")
        await edge.stop()
        await worker.stop()
    }

    func testWithTheLimitOffNothingIsQueuedOrRefused() async throws {
        let script = WorkerScript()
        let worker = try await FakeWorker.start(name: "w1", script: script, inProcess: true)
        let edge = try await EdgeHarness.start(worker: worker) { $0.upstreamConcurrency.mode = .off }
        try await edge.waitForWorkers()
        XCTAssertNil(edge.server.app.proxies.first?.limiter)
        let response = try await edge.get("/api/x")
        XCTAssertEqual(response.status, 200)
        await edge.stop()
        await worker.stop()
    }
}
