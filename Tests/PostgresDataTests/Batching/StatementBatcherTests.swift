import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import NIOCore
import PostgresData
import PostgresTestSupport
import RPC
import ServiceLifecycle
import XCTest

/// The batcher with a fetch the test controls: the batching, cancellation and shutdown are
/// what is tested here, without I/O.
final class StatementBatcherTests: XCTestCase {
    /// Records every batch and lets the test hold the first one open.
    private final class ControlledFetch: Sendable {
        let batches = NIOLockedValueBox<[[Int]]>([])
        let deadlines = NIOLockedValueBox<[NIODeadline?]>([])
        let gate = AsyncStream<Void>.makeStream()
        let holdFirst: Bool
        let started = AsyncStream<Void>.makeStream()

        init(holdFirst: Bool) { self.holdFirst = holdFirst }

        func fetch(_ keys: [Int], deadline: NIODeadline?) async throws(RPCError) -> [Int: String] {
            deadlines.withLockedValue { $0.append(deadline) }
            let isFirst = batches.withLockedValue { batches in
                batches.append(keys)
                return batches.count == 1
            }
            started.continuation.yield()
            if isFirst && holdFirst {
                for await _ in gate.stream { break }
            }
            if keys.contains(-1) { throw RPCError.unavailable("database unreachable") }
            return Dictionary(uniqueKeysWithValues: keys.filter { $0 % 10 != 0 }.map { ($0, "row \($0)") })
        }
    }

    private func withReader(
        _ fetch: ControlledFetch, concurrentBatches: Int = 1, slowBatchAge: Duration? = nil, metrics: TestMetrics = TestMetrics(),
        _ body: (StatementBatcher<Int, String>) async throws -> Void
    ) async throws {
        let reader = StatementBatcher<Int, String>(
            name: "test_reads", maximumBatchSize: 100, maximumConcurrentBatches: concurrentBatches, slowBatchAge: slowBatchAge,
            logger: quietLogger, metricsFactory: metrics, fetch: fetch.fetch)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [reader], logger: quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { fetch.gate.continuation.finish() }
            try await body(reader)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func testReadsWaitingForABusySlotShareOneStatement() async throws {
        let fetch = ControlledFetch(holdFirst: true)
        try await withReader(fetch) { reader in
            try await withThrowingTaskGroup(of: (Int, String?).self) { reads in
                reads.addTask { (1, try await reader.submit(1)) }
                for await _ in fetch.started.stream { break }
                // The slot is busy: these queue up, the duplicate 5s share a key.
                for key in [5, 7, 5, 20, 9] { reads.addTask { (key, try await reader.submit(key)) } }
                try await Task.sleep(for: .milliseconds(100))
                fetch.gate.continuation.yield()
                var answers: [(Int, String?)] = []
                for try await answer in reads { answers.append(answer) }
                for (key, value) in answers {
                    XCTAssertEqual(value, key % 10 == 0 ? nil : "row \(key)", "key \(key)")
                }
            }
            let batches = fetch.batches.withLockedValue { $0 }
            XCTAssertEqual(batches.count, 2)
            XCTAssertEqual(batches.first, [1])
            XCTAssertEqual(batches.last.map(Set.init), [5, 7, 20, 9])
            XCTAssertEqual(batches.last?.count, 4, "one row per key")
        }
    }

    /// A statement stuck past the slow age holds up only its own reads: those queued behind
    /// it start a statement beside it once it turns slow, with no further read arriving.
    func testReadsQueuedBehindAStuckStatementStartBesideItOnceItIsSlow() async throws {
        let fetch = ControlledFetch(holdFirst: true)
        let metrics = TestMetrics()
        try await withReader(fetch, slowBatchAge: .milliseconds(50), metrics: metrics) { reader in
            let stuck = Task { try await reader.submit(1) }
            for await _ in fetch.started.stream { break }
            let queued = ContinuousClock.now
            // Bounded: without the slow rule these would wait for the gate, opened only below.
            let answers = try await withTimeLimit(.seconds(10)) {
                async let seven = reader.submit(7)
                async let nine = reader.submit(9)
                return try await [seven, nine]
            }
            XCTAssertEqual(answers, ["row 7", "row 9"])
            let waited = ContinuousClock.now - queued
            XCTAssertLessThan(waited, .seconds(2), "answered while the first statement is still stuck")
            XCTAssertEqual(fetch.batches.withLockedValue { $0.count }, 2)
            XCTAssertEqual(fetch.batches.withLockedValue { $0.last.map(Set.init) }, [7, 9], "one statement for both")
            XCTAssertEqual(try metrics.expectCounter("db_batch_slow_starts_total", [("statement", "test_reads")]).totalValue, 1)
            fetch.gate.continuation.yield()
            let first = try await stuck.value
            XCTAssertEqual(first, "row 1")
        }
    }

    /// Without a slow age the queue waits for the running statement, however long it runs.
    func testWithoutASlowAgeQueuedReadsWaitForTheRunningStatement() async throws {
        let fetch = ControlledFetch(holdFirst: true)
        try await withReader(fetch) { reader in
            let stuck = Task { try await reader.submit(1) }
            for await _ in fetch.started.stream { break }
            let queued = Task { try await reader.submit(7) }
            try await Task.sleep(for: .milliseconds(300))
            XCTAssertEqual(fetch.batches.withLockedValue { $0.count }, 1, "no second statement while the first runs")
            fetch.gate.continuation.yield()
            let (first, second) = (try await stuck.value, try await queued.value)
            XCTAssertEqual([first, second], ["row 1", "row 7"])
        }
    }

    /// Per statement: the requests it answered, the rows it returned, how many requests rode
    /// along on a statement started for others, how long it ran, and whether it failed.
    func testMetricsShowHowManyRequestsEachStatementServed() async throws {
        let fetch = ControlledFetch(holdFirst: true)
        let metrics = TestMetrics()
        try await withReader(fetch, metrics: metrics) { reader in
            try await withThrowingTaskGroup(of: String?.self) { reads in
                reads.addTask { try await reader.submit(1) }
                for await _ in fetch.started.stream { break }
                for key in [5, 7, 5, 20, 9] { reads.addTask { try await reader.submit(key) } }
                try await Task.sleep(for: .milliseconds(100))
                fetch.gate.continuation.yield()
                for try await _ in reads {}
            }
            await assertRPCError(.unavailable) { try await reader.submit(-1) }
        }
        let statement = [("statement", "test_reads")]
        XCTAssertEqual(try metrics.expectRecorder("db_batch_requests", statement).values, [1, 5, 1])
        XCTAssertEqual(try metrics.expectRecorder("db_batch_rows", statement).values, [1, 3], "20 has no row; the failure none")
        XCTAssertEqual(try metrics.expectCounter("db_batch_coalesced_requests_total", statement).totalValue, 4)
        XCTAssertEqual(try metrics.expectCounter("db_batch_failures_total", statement).totalValue, 1)
        XCTAssertEqual(try metrics.expectTimer("db_batch_duration_seconds", statement).values.count, 3)
    }

    /// The statement may run as long as its most patient caller waits, and no longer.
    func testABatchRunsUntilTheLatestDeadlineOfItsReads() async throws {
        let fetch = ControlledFetch(holdFirst: true)
        try await withReader(fetch) { reader in
            let now = NIODeadline.now()
            let first = Task { try await reader.submit(1, deadline: now + .seconds(60)) }
            for await _ in fetch.started.stream { break }
            let soon = Task { try await reader.submit(2, deadline: now + .seconds(10)) }
            let later = Task { try await reader.submit(3, deadline: now + .seconds(20)) }
            try await Task.sleep(for: .milliseconds(50))
            fetch.gate.continuation.yield()
            for read in [first, soon, later] { _ = try await read.value }
            _ = try await reader.submit(4)
            XCTAssertEqual(fetch.deadlines.withLockedValue { $0 }, [now + .seconds(60), now + .seconds(20), nil])
        }
    }

    func testAFailedBatchFailsEachOfItsReadsWithItsError() async throws {
        let fetch = ControlledFetch(holdFirst: true)
        try await withReader(fetch) { reader in
            let first = Task { try await reader.submit(1) }
            for await _ in fetch.started.stream { break }
            let failing = Task { try await reader.submit(-1) }
            let neighbour = Task { try await reader.submit(3) }
            try await Task.sleep(for: .milliseconds(50))
            fetch.gate.continuation.yield()
            let firstValue = try await first.value
            XCTAssertEqual(firstValue, "row 1")
            for read in [failing, neighbour] {
                do {
                    _ = try await read.value
                    XCTFail("expected unavailable")
                } catch let error as RPCError {
                    XCTAssertEqual(error.code, .unavailable)
                }
            }
        }
    }

    func testACancelledReadReturnsAtOnceWhileItsBatchIsStillRunning() async throws {
        let fetch = ControlledFetch(holdFirst: true)
        try await withReader(fetch) { reader in
            let read = Task { try await reader.submit(1) }
            for await _ in fetch.started.stream { break }
            let started = ContinuousClock.now
            read.cancel()
            do {
                _ = try await read.value
                XCTFail("expected cancelled")
            } catch let error as RPCError {
                XCTAssertEqual(error.code, .cancelled)
            }
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
            fetch.gate.continuation.yield()
            let afterwards = try await reader.submit(2)
            XCTAssertEqual(afterwards, "row 2", "the reader still serves")
        }
    }

    func testShutdownFailsQueuedReadsAndRefusesNewOnes() async throws {
        let fetch = ControlledFetch(holdFirst: true)
        let reader = StatementBatcher<Int, String>(
            name: "test_reads", maximumBatchSize: 100, maximumConcurrentBatches: 1, logger: quietLogger, fetch: fetch.fetch)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [reader], logger: quietLogger))
        let running = Task { try await group.run() }
        let running1 = Task { try await reader.submit(1) }
        for await _ in fetch.started.stream { break }
        let queued = Task { try await reader.submit(2) }
        try await Task.sleep(for: .milliseconds(50))
        await group.triggerGracefulShutdown()
        do {
            _ = try await queued.value
            XCTFail("expected unavailable")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .unavailable)
        }
        fetch.gate.continuation.yield()
        let inFlight = try await running1.value
        XCTAssertEqual(inFlight, "row 1", "a running batch finishes")
        try await running.value
        do {
            _ = try await reader.submit(3)
            XCTFail("expected unavailable")
        } catch {
            XCTAssertEqual(error.code, .unavailable)
        }
    }
}
