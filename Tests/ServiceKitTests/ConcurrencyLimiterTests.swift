import MetricsTestKit
import NIOConcurrencyHelpers
import XCTest

@testable import ServiceKit

private final class ManagedFlag: Sendable {
    private let value = NIOLockedValueBox(false)
    var isSet: Bool { value.withLockedValue { $0 } }
    func set() { value.withLockedValue { $0 = true } }
}

final class ConcurrencyLimiterTests: XCTestCase {
    private func limiter(limit: Int, queue: Int, timeout: Duration = .seconds(30)) -> ConcurrencyLimiter {
        ConcurrencyLimiter(
            configuration: .init(limit: .fixed(limit), queueSize: queue, queueTimeout: timeout), metricPrefix: "test")
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<2_000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        XCTAssertTrue(condition(), "condition not reached in 2 s")
    }

    func testPastTheLimitWithoutAQueueIsRefusedAtOnce() async throws {
        let limiter = limiter(limit: 1, queue: 0)
        let held = await limiter.acquire()
        XCTAssertNotNil(held)
        let refused = await limiter.acquire()
        XCTAssertNil(refused)
        limiter.release(try XCTUnwrap(held), measured: true)
        let again = await limiter.acquire()
        XCTAssertNotNil(again)
    }

    func testTheNewestWaiterIsServedFirst() async throws {
        let limiter = limiter(limit: 1, queue: 2)
        let heldResult = await limiter.acquire()
        let held = try XCTUnwrap(heldResult)
        let older = Task { await limiter.acquire() }
        try await waitUntil { limiter.snapshot.queued == 1 }
        let newer = Task { await limiter.acquire() }
        try await waitUntil { limiter.snapshot.queued == 2 }

        limiter.release(held, measured: true)
        let newestResult = await newer.value
        let newest = try XCTUnwrap(newestResult, "the newest waiter gets the free place")
        XCTAssertEqual(limiter.snapshot.queued, 1)
        limiter.release(newest, measured: true)
        let oldestResult = await older.value
        let oldest = try XCTUnwrap(oldestResult)
        limiter.release(oldest, measured: true)
        XCTAssertEqual(limiter.snapshot.inFlight, 0)
    }

    func testTheMetricsFollowEachAdmissionAndRefusal() async throws {
        let metrics = TestMetrics()
        let limiter = ConcurrencyLimiter(
            configuration: .init(limit: .fixed(2), queueSize: 0, queueTimeout: .seconds(30)), metricPrefix: "test",
            dimensions: [("route", "api")], metricsFactory: metrics)
        let inFlight = try metrics.expectGauge("test_in_flight", [("route", "api")])
        let firstResult = await limiter.acquire()
        let first = try XCTUnwrap(firstResult)
        XCTAssertEqual(inFlight.lastValue, 1, "counted when admitted, not only when the work ends")
        let secondResult = await limiter.acquire()
        let second = try XCTUnwrap(secondResult)
        XCTAssertEqual(inFlight.lastValue, 2)
        guard case .refused = limiter.admit() else { return XCTFail("a third is past the limit and the queue") }
        XCTAssertEqual(try metrics.expectCounter("test_refused_total", [("route", "api"), ("reason", "queue_full")]).totalValue, 1)
        limiter.release(first, measured: true)
        XCTAssertEqual(inFlight.lastValue, 1)
        limiter.release(second, measured: true)
        XCTAssertEqual(inFlight.lastValue, 0)
        XCTAssertEqual(try metrics.expectGauge("test_concurrency_limit", [("route", "api")]).lastValue, 2)
    }

    func testAFullQueueRefusesTheNextAtOnce() async throws {
        let limiter = limiter(limit: 1, queue: 1)
        let heldResult = await limiter.acquire()
        let held = try XCTUnwrap(heldResult)
        let waiting = Task { await limiter.acquire() }
        try await waitUntil { limiter.snapshot.queued == 1 }
        let refused = await limiter.acquire()
        XCTAssertNil(refused)
        limiter.release(held, measured: true)
        let admittedResult = await waiting.value
        let admitted = try XCTUnwrap(admittedResult)
        limiter.release(admitted, measured: true)
    }

    func testAWaiterIsRefusedAfterTheQueueTimeoutEvenWhenNothingFinishes() async throws {
        let limiter = limiter(limit: 1, queue: 4, timeout: .milliseconds(50))
        let sweeper = Task { await limiter.run() }
        defer { sweeper.cancel() }
        let heldResult = await limiter.acquire()
        let held = try XCTUnwrap(heldResult)
        let start = ContinuousClock.now
        let refused = await limiter.acquire()
        let waited = ContinuousClock.now - start
        XCTAssertNil(refused)
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(50))
        XCTAssertLessThan(waited, .seconds(1), "refused by the sweep, not left waiting")
        XCTAssertEqual(limiter.snapshot.queued, 0)
        limiter.release(held, measured: true)
    }

    func testTheSweepTimerRunsOnlyWhileSomeoneWaits() async throws {
        let limiter = limiter(limit: 1, queue: 4, timeout: .milliseconds(10))
        let sweeper = Task { await limiter.run() }
        defer { sweeper.cancel() }
        // Idle, with a 5 ms sweep period: no timer at all.
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(limiter.timerSweeps, 0, "an empty queue sets no timer")

        // A waiter starts the sweeps, which refuse it at its timeout and stop once the queue is empty.
        let heldResult = await limiter.acquire()
        let held = try XCTUnwrap(heldResult)
        let refused = await limiter.acquire()
        XCTAssertNil(refused)
        try await waitUntil { limiter.snapshot.queued == 0 }
        try await Task.sleep(for: .milliseconds(20))
        let afterQueue = limiter.timerSweeps
        XCTAssertGreaterThan(afterQueue, 0)
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(limiter.timerSweeps, afterQueue, "the timer stops with the queue empty")

        // And starts again for the next one.
        let again = await limiter.acquire()
        XCTAssertNil(again)
        XCTAssertGreaterThan(limiter.timerSweeps, afterQueue)
        limiter.release(held, measured: true)
    }

    func testExpiredWaitersAreRefusedWhenAPlaceFrees() async throws {
        let limiter = limiter(limit: 1, queue: 4, timeout: .milliseconds(20))
        let heldResult = await limiter.acquire()
        let held = try XCTUnwrap(heldResult)
        let stale = Task { await limiter.acquire() }
        try await waitUntil { limiter.snapshot.queued == 1 }
        try await Task.sleep(for: .milliseconds(40))
        limiter.release(held, measured: true)
        let refused = await stale.value
        XCTAssertNil(refused, "past its timeout it is refused, not served late")
        XCTAssertEqual(limiter.snapshot.inFlight, 0)
    }

    func testRunLastsUntilShutdownEvenWithoutAQueue() async throws {
        // A service that returns stops its whole service group: `--upstream-queue 0` once stopped the edge at start.
        let limiter = limiter(limit: 1, queue: 0, timeout: .milliseconds(10))
        let finished = ManagedFlag()
        let running = Task {
            await limiter.run()
            finished.set()
        }
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertFalse(finished.isSet)
        running.cancel()
        await running.value
        XCTAssertTrue(finished.isSet)
    }

    func testSettingsParseEveryMode() {
        XCTAssertEqual(ConcurrencyLimitMode(parsing: "adaptive"), .adaptive)
        XCTAssertEqual(ConcurrencyLimitMode(parsing: "OFF"), .off)
        XCTAssertEqual(ConcurrencyLimitMode(parsing: "12"), .fixed(12))
        XCTAssertNil(ConcurrencyLimitMode(parsing: "0"))
        XCTAssertNil(ConcurrencyLimitMode(parsing: "many"))
        var settings = ConcurrencyLimitSettings(targetLatency: .milliseconds(20))
        XCTAssertEqual(settings.configuration?.limit.isFixed, false)
        settings.mode = .fixed(3)
        XCTAssertEqual(settings.configuration?.limit, .fixed(3))
        settings.mode = .off
        XCTAssertNil(settings.configuration)
    }

    func testFlagsAreReadUnderTheirPrefix() throws {
        var reader = ConfigReader(
            arguments: ["--db-concurrency", "16", "--db-queue", "0", "--db-latency-target", "5ms"], environment: [:])
        let settings = ConcurrencyLimitSettings.read(
            prefix: "db", envPrefix: "DB", what: "calls", defaults: .init(targetLatency: .milliseconds(50)), from: &reader)
        XCTAssertEqual(settings.mode, .fixed(16))
        XCTAssertEqual(settings.queueSize, 0)
        XCTAssertEqual(settings.targetLatency, .milliseconds(5))
        XCTAssertEqual(settings.queueTimeout, .milliseconds(50))

        var bad = ConfigReader(arguments: ["--db-concurrency", "lots"], environment: [:])
        _ = ConcurrencyLimitSettings.read(
            prefix: "db", envPrefix: "DB", what: "calls", defaults: .init(targetLatency: .milliseconds(50)), from: &bad)
        XCTAssertThrowsError(try bad.finish(), "a bad mode is a configuration error")
    }
}
