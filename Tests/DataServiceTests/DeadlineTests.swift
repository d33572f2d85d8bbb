import MicropostsModels
import PostgresData
import PostgresNIO
import RPC
import XCTest

@testable import DataService

/// PostgresNIO does not cancel a running query when its task is cancelled, so the service
/// bounds each statement by the call's remaining time (`statement_timeout`). These tests
/// block a query on a table lock and check that both the caller and the database let go.
final class DeadlineTests: XCTestCase {
    func testDeadlineCancelsABlockedQuery() async throws {
        try await withDataService { service in
            try await service.register("ana")
            try await service.withDirectClient { blocker in
                try await blocker.withConnection { connection in
                    try await connection.query("BEGIN", logger: quietLogger)
                    try await connection.query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE", logger: quietLogger)

                    let started = ContinuousClock.now
                    await assertRPCError(.deadlineExceeded) {
                        try await service.call(.getUser, GetUserRequest(username: "ana"), timeout: .milliseconds(300))
                    }
                    let elapsed = ContinuousClock.now - started
                    XCTAssertLessThan(elapsed, .milliseconds(400), "the caller must get its answer by the deadline")

                    // The blocked statement is cancelled by the server at the deadline, not left waiting for the lock.
                    let gone = try await Self.waitForNoBlockedQueries(on: connection, database: service.databaseName, within: .seconds(1))
                    XCTAssertTrue(gone, "the data service's query still waits for the lock")
                    try await connection.query("ROLLBACK", logger: quietLogger)
                }
            }
            // The connection that ran the cancelled statement is healthy and serves the next call.
            let user = try await service.call(.getUser, GetUserRequest(username: "ana"))
            XCTAssertEqual(user.username, "ana")
        }
    }

    /// A statement timeout of the service's own (no caller deadline beyond it) maps to deadlineExceeded too.
    func testStatementTimeoutIsDeadlineExceeded() async throws {
        try await withDataService(configure: { $0.database.statementTimeout = .milliseconds(200) }) { service in
            try await service.register("ana")
            try await service.withDirectClient { blocker in
                try await blocker.withConnection { connection in
                    try await connection.query("BEGIN", logger: quietLogger)
                    try await connection.query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE", logger: quietLogger)
                    let started = ContinuousClock.now
                    await assertRPCError(.deadlineExceeded) {
                        try await service.call(.getUser, GetUserRequest(username: "ana"), timeout: .seconds(5))
                    }
                    XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
                    try await connection.query("ROLLBACK", logger: quietLogger)
                }
            }
        }
    }

    private static func waitForNoBlockedQueries(on connection: PostgresConnection, database: String, within limit: Duration) async throws
        -> Bool
    {
        let until = ContinuousClock.now + limit
        while true {
            let rows = try await connection.query(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = \(database) AND application_name = 'microposts-data' AND wait_event_type = 'Lock'
                """,
                logger: quietLogger
            ).collect()
            if try rows.first?.decode(Int.self) == 0 { return true }
            guard ContinuousClock.now < until else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
