import Logging
import MetricsTestKit
import NIOCore
import PostgresData
import PostgresNIO
import PostgresTestSupport
import RPC
import ServiceKit
import ServiceLifecycle
import XCTest

/// Leases of ``Database`` against a real server: what a call's deadline and the monitor's
/// knowledge do to it.
final class DatabaseLeaseTests: XCTestCase {
    private static func statementTimeout(_ database: Database, deadline: NIODeadline?) async throws -> String {
        try await database.withConnection(database.budget(deadline: deadline), logger: quietLogger) { connection in
            try await connection.run("SHOW statement_timeout", logger: quietLogger).first?.decode(String.self) ?? ""
        }
    }

    /// A lease skips setting `statement_timeout` when the connection already has the cap; a
    /// connection tightened for a short deadline must not keep that limit for the next call.
    func testTightenedConnectionIsResetOnItsNextLease() async throws {
        try await withTimeLimit {
            try await withDatabase(configure: { $0.maximumConnections = 1 }) { database in
                let capped = try await Self.statementTimeout(database, deadline: nil)
                XCTAssertEqual(capped, "5s", "opened with the cap as a startup parameter")
                let tight = try await Self.statementTimeout(database, deadline: .now() + .milliseconds(900))
                XCTAssertTrue(tight.hasSuffix("ms"), "a short deadline tightens the limit, got \(tight)")
                let afterwards = try await Self.statementTimeout(database, deadline: .now() + .seconds(60))
                XCTAssertEqual(afterwards, "5s", "the next lease of the same connection restores the cap")
            }
        }
    }

    /// The server ends a statement when the caller's time is up, whatever the cap.
    func testAStatementOutlivingTheDeadlineIsDeadlineExceeded() async throws {
        try await withTimeLimit {
            try await withDatabase { database in
                let started = ContinuousClock.now
                await assertRPCError(.deadlineExceeded) {
                    try await database.withConnection(for: DatabaseCall(deadline: .now() + .milliseconds(300), logger: quietLogger)) {
                        try await $0.run("SELECT pg_sleep(10)", logger: quietLogger)
                    }
                }
                XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
            }
        }
    }

    func testAnExpiredDeadlineFailsBeforeLeasing() async throws {
        try await withTimeLimit {
            try await withDatabase { database in
                await assertRPCError(.deadlineExceeded, messageContains: "before the query started") {
                    try await database.withConnection(for: DatabaseCall(deadline: .now() - .milliseconds(1), logger: quietLogger)) { _ in }
                }
            }
        }
    }

    /// While the monitor knows the database is down, calls fail at once, marked unprocessed
    /// so a client may try another instance; the health check itself still gets through.
    func testCallsFailFastWhileTheDatabaseIsKnownToBeDown() async throws {
        try await withTimeLimit {
            try await withDatabase(availability: .unreachable(reason: "probe failed")) { database in
                do throws(RPCError) {
                    try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) { _ in }
                    XCTFail("a call ran while the database was known to be down")
                } catch {
                    XCTAssertEqual(error.code, .unavailable)
                    XCTAssertFalse(error.wasProcessed)
                    XCTAssertTrue(error.message.contains("probe failed"), error.message)
                }
                let answer = try await database.withConnection(
                    database.budget(deadline: nil), logger: quietLogger, requiresAvailability: false
                ) { try await $0.run("SELECT 1", logger: quietLogger).first?.decode(Int.self) }
                XCTAssertEqual(answer, 1)
            }
        }
    }

    /// With every connection busy, a lease waits at most the lease timeout.
    func testAnExhaustedPoolIsUnavailableAfterTheLeaseTimeout() async throws {
        try await withTimeLimit {
            try await withDatabase(configure: {
                $0.maximumConnections = 1
                $0.connectTimeout = .milliseconds(300)
            }) { database in
                let holding = Task {
                    try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) {
                        try await $0.run("SELECT pg_sleep(2)", logger: quietLogger)
                    }
                }
                try await Task.sleep(for: .milliseconds(200))
                let started = ContinuousClock.now
                await assertRPCError(.unavailable, messageContains: "no database connection") {
                    try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) { _ in }
                }
                XCTAssertLessThan(ContinuousClock.now - started, .seconds(1.5))
                _ = try await holding.value
            }
        }
    }

    /// How long leases waited, how many connections are leased, and how many leases gave up.
    func testPoolMetricsShowWaitsConnectionsInUseAndTimeouts() async throws {
        let metrics = TestMetrics()
        try await withTimeLimit {
            try await withDatabase(
                configure: {
                    $0.maximumConnections = 1
                    $0.connectTimeout = .seconds(5)
                }, metrics: metrics
            ) { database in
                let holding = Task {
                    try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) {
                        try await $0.run("SELECT pg_sleep(0.4)", logger: quietLogger)
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
                XCTAssertEqual(try metrics.expectMeter("db_connections_in_use").lastValue, 1)
                _ = try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) {
                    try await $0.run("SELECT 1", logger: quietLogger)
                }
                _ = try await holding.value
                XCTAssertEqual(try metrics.expectMeter("db_connections_in_use").lastValue, 0)
                let waits = try metrics.expectTimer("db_pool_wait_seconds").values
                XCTAssertEqual(waits.count, 2)
                XCTAssertGreaterThan(waits.max() ?? 0, 200_000_000, "the second lease waited for the first: \(waits)")

                let holdingAgain = Task {
                    try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) {
                        try await $0.run("SELECT pg_sleep(0.5)", logger: quietLogger)
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
                await assertRPCError(.deadlineExceeded) {
                    try await database.withConnection(database.budget(deadline: .now() + .milliseconds(100)), logger: quietLogger) { _ in }
                }
                XCTAssertEqual(try metrics.expectCounter("db_pool_wait_timeouts_total").totalValue, 1)
                _ = try await holdingAgain.value
            }
        }
    }

    /// The monitor migrates, then marks the database reachable and the service ready.
    func testTheMonitorMigratesThenReportsReadiness() async throws {
        try await withTimeLimit {
            try await withDatabase(availability: .starting) { database in
                let readiness = Readiness()
                readiness.set(DatabaseMonitor.readinessCondition, ready: false)
                readiness.markStarted()
                let runner = try MigrationRunner(
                    migrations: [Migration(version: 1, name: "t", statements: ["CREATE TABLE t (x int)"])], lock: MigrationLock(name: "t"))
                let monitor = DatabaseMonitor(
                    database: database, migrations: runner, readiness: readiness, interval: .milliseconds(50),
                    probeTimeout: .seconds(1), logger: quietLogger)
                let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [monitor], logger: quietLogger))
                let running = Task { try await group.run() }
                let until = ContinuousClock.now + .seconds(10)
                while !readiness.isReady, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(20)) }
                XCTAssertTrue(readiness.isReady)
                XCTAssertEqual(database.availability.current, .reachable)
                let tables = try await database.withConnection(database.budget(deadline: nil), logger: quietLogger) {
                    try await $0.run("SELECT count(*) FROM pg_tables WHERE tablename = 't'", logger: quietLogger).first?.decode(Int.self)
                }
                XCTAssertEqual(tables, 1)
                await group.triggerGracefulShutdown()
                try await running.value
            }
        }
    }
}
