import PostgresData
import PostgresNIO
import PostgresTestSupport
import XCTest

@testable import DataService

extension PostgresTestCluster {
    /// Runs `body` against a new database of the shared cluster with the bundled migrations applied.
    static func withMigratedDatabase<Result>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
        let cluster = try await shared()
        let database = try await cluster.createDatabase()
        return try await cluster.withClient(database: database) { client in
            try await MigrationRunner.bundled().run(on: client, logger: Logger(label: "test"))
            return try await body(client)
        }
    }
}

/// Asserts that `body` fails with the PostgreSQL error `sqlState` (e.g. 23514 check_violation).
func assertSQLState(
    _ sqlState: String,
    _ body: () async throws -> Void,
    file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        try await body()
        XCTFail("expected SQLSTATE \(sqlState), but the statement succeeded", file: file, line: line)
    } catch let error as PSQLError {
        XCTAssertEqual(error.serverInfo?[.sqlState], sqlState, String(reflecting: error), file: file, line: line)
    } catch {
        XCTFail("expected SQLSTATE \(sqlState), got \(error)", file: file, line: line)
    }
}

extension PostgresClient {
    /// The single value of the first row, e.g. a count.
    func scalar<Value: PostgresDecodable>(_ query: PostgresQuery, as type: Value.Type = Value.self) async throws -> Value? {
        try await self.query(query).collect().first?.decode(Value.self)
    }
}
