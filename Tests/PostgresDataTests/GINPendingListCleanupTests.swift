import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import NIOCore
import PostgresData
import PostgresNIO
import PostgresTestSupport
import RPC
import ServiceLifecycle
import XCTest

/// ``GINPendingListCleanup`` against a real server: a GIN index with `fastupdate` (the
/// default) collects inserted entries in its pending list, and the cleanup merges them.
final class GINPendingListCleanupTests: XCTestCase {
    private static let index = "docs_tags_idx"

    /// A table with a GIN index and `rows` rows inserted since it was built, all of them pending.
    private static func makeIndexedTable(_ database: Database, rows: Int) async throws {
        try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) { connection in
            try await connection.run(
                "CREATE TABLE docs (id bigint GENERATED ALWAYS AS IDENTITY, tags integer[] NOT NULL)", logger: quietLogger)
            try await connection.run("CREATE INDEX docs_tags_idx ON docs USING gin (tags)", logger: quietLogger)
            try await connection.run(
                "INSERT INTO docs (tags) SELECT ARRAY[i % 1000, i % 997, i] FROM generate_series(1, \(rows)) AS i", logger: quietLogger)
        }
    }

    func testCleanMergesThePendingListAndCountsItsPages() async throws {
        try await withTimeLimit {
            let metrics = TestMetrics()
            try await withDatabase { database in
                try await Self.makeIndexedTable(database, rows: 5_000)
                let cleanup = GINPendingListCleanup(
                    indexes: [Self.index], interval: .seconds(60), database: database, logger: quietLogger, metricsFactory: metrics)
                let pages = try await cleanup.clean(Self.index)
                XCTAssertGreaterThan(pages, 0, "the inserts went to the pending list")
                let again = try await cleanup.clean(Self.index)
                XCTAssertEqual(again, 0, "nothing is left pending")
                let dimensions = [("index", Self.index)]
                XCTAssertEqual(try metrics.expectCounter("db_gin_pending_pages_cleaned_total", dimensions).totalValue, Int64(pages))
                XCTAssertEqual(try metrics.expectTimer("db_gin_cleanup_duration_seconds", dimensions).values.count, 2)
                XCTAssertEqual(try metrics.expectCounter("db_gin_cleanup_failures_total", dimensions).totalValue, 0)
            }
        }
    }

    /// Running, it cleans every interval; an index that does not exist fails on every round
    /// (counted) without keeping the others from being cleaned.
    func testRunningItCleansEachRoundAndAMissingIndexDoesNotStopTheOthers() async throws {
        try await withTimeLimit {
            let metrics = TestMetrics()
            try await withDatabase { database in
                try await Self.makeIndexedTable(database, rows: 2_000)
                let cleanup = GINPendingListCleanup(
                    indexes: ["no_such_idx", Self.index], interval: .milliseconds(50), database: database, logger: quietLogger,
                    metricsFactory: metrics)
                let running = Task { await cleanup.run() }
                defer { running.cancel() }
                let cleaned = try metrics.expectCounter("db_gin_pending_pages_cleaned_total", [("index", Self.index)])
                let missing = try metrics.expectCounter("db_gin_cleanup_failures_total", [("index", "no_such_idx")])
                while cleaned.totalValue == 0 || missing.totalValue < 2 {
                    try await Task.sleep(for: .milliseconds(20))
                }
                XCTAssertEqual(try metrics.expectCounter("db_gin_cleanup_failures_total", [("index", Self.index)]).totalValue, 0)
                // Rows inserted while it runs are merged by a later round.
                let before = cleaned.totalValue
                _ = try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) {
                    try await $0.run(
                        "INSERT INTO docs (tags) SELECT ARRAY[i, i + 1] FROM generate_series(1, 2000) AS i", logger: quietLogger)
                }
                while cleaned.totalValue == before { try await Task.sleep(for: .milliseconds(20)) }
            }
        }
    }

    /// With `afterWritesOnly` a round runs once at start and then only after ``noteWrites()``:
    /// an idle service sends PostgreSQL nothing. Without it every interval runs a round.
    func testAfterWritesOnlyItCleansOnlyOnceSomethingWasWritten() async throws {
        try await withTimeLimit {
            let metrics = TestMetrics()
            try await withDatabase { database in
                try await Self.makeIndexedTable(database, rows: 2_000)
                let cleanup = GINPendingListCleanup(
                    indexes: [Self.index], interval: .milliseconds(20), database: database, logger: quietLogger,
                    afterWritesOnly: true, metricsFactory: metrics)
                let running = Task { await cleanup.run() }
                defer { running.cancel() }
                let rounds = try metrics.expectTimer("db_gin_cleanup_duration_seconds", [("index", Self.index)])
                let cleaned = try metrics.expectCounter("db_gin_pending_pages_cleaned_total", [("index", Self.index)])
                // The first round cleans what was written before the service started.
                while rounds.values.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                XCTAssertGreaterThan(cleaned.totalValue, 0)
                // Idle: ten intervals and no round.
                try await Task.sleep(for: .milliseconds(200))
                XCTAssertEqual(rounds.values.count, 1, "rounds ran with nothing written")
                // Written and noted: the next round merges it, once.
                let before = cleaned.totalValue
                _ = try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) {
                    try await $0.run(
                        "INSERT INTO docs (tags) SELECT ARRAY[i, i + 1] FROM generate_series(1, 2000) AS i", logger: quietLogger)
                }
                cleanup.noteWrites()
                while cleaned.totalValue == before { try await Task.sleep(for: .milliseconds(10)) }
                try await Task.sleep(for: .milliseconds(200))
                XCTAssertEqual(rounds.values.count, 2, "one write, one round")
            }
        }
    }

    /// While the health monitor knows the database is down, a cleanup fails at once, counted.
    func testADatabaseKnownToBeDownFailsTheCleanupAtOnce() async throws {
        try await withTimeLimit {
            let metrics = TestMetrics()
            try await withDatabase(availability: .unreachable(reason: "probe failed")) { database in
                let cleanup = GINPendingListCleanup(
                    indexes: [Self.index], interval: .seconds(60), database: database, logger: quietLogger, metricsFactory: metrics)
                await assertRPCError(.unavailable) { try await cleanup.clean(Self.index) }
                XCTAssertEqual(try metrics.expectCounter("db_gin_cleanup_failures_total", [("index", Self.index)]).totalValue, 1)
            }
        }
    }

    /// Without indexes (or with a zero interval) it stays idle until shutdown instead of
    /// returning, which would end its whole service group.
    func testWithNothingToCleanItWaitsForShutdown() async throws {
        try await withTimeLimit {
            try await withDatabase { database in
                for (indexes, interval) in [([String](), Duration.milliseconds(10)), ([Self.index], .zero)] {
                    let cleanup = GINPendingListCleanup(indexes: indexes, interval: interval, database: database, logger: quietLogger)
                    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [cleanup], logger: quietLogger))
                    let finished = NIOLockedValueBox(false)
                    let running = Task {
                        try await group.run()
                        finished.withLockedValue { $0 = true }
                    }
                    try await Task.sleep(for: .milliseconds(200))
                    XCTAssertFalse(finished.withLockedValue { $0 }, "the group ended by itself with \(indexes), \(interval)")
                    await group.triggerGracefulShutdown()
                    try await running.value
                    XCTAssertTrue(finished.withLockedValue { $0 })
                }
            }
        }
    }
}
