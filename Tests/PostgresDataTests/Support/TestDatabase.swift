import Logging
import Metrics
import PostgresData
import PostgresNIO
import PostgresTestSupport
import RPC
import XCTest

let quietLogger = Logger(label: "postgres-data-test") { _ in SwiftLogNoOpLogHandler() }

extension PostgresTestCluster {
    /// Settings for `database` on this cluster, as an app would resolve them.
    func settings(database: String) -> DatabaseSettings {
        DatabaseSettings(
            host: host, port: port, username: username, password: password, database: database, sslMode: .disable,
            applicationName: "postgres-data-tests")
    }
}

/// Runs `body` with a ``Database`` whose pool is running, on a new database of the shared
/// cluster, marked reachable unless `availability` says otherwise.
func withDatabase<Result: Sendable>(
    availability: DatabaseAvailability.State = .reachable,
    errorMapping: DatabaseErrorMapping = DatabaseErrorMapping(),
    configure: (inout DatabaseSettings) -> Void = { _ in },
    metrics: any MetricsFactory = MetricsSystem.factory,
    _ body: @escaping @Sendable (Database) async throws -> Result
) async throws -> Result {
    let cluster = try await PostgresTestCluster.shared()
    var settings = cluster.settings(database: try await cluster.createDatabase())
    configure(&settings)
    let client = PostgresClient(configuration: settings.clientConfiguration(), backgroundLogger: quietLogger)
    let database = Database(
        client: client, availability: DatabaseAvailability(availability), statementTimeout: settings.statementTimeout,
        leaseTimeout: settings.connectTimeout, errorMapping: errorMapping, metricsFactory: metrics)
    return try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask {
            await client.run()
            return nil
        }
        defer { group.cancelAll() }
        return try await body(database)
    }
}

func assertRPCError<T>(
    _ code: RPCStatusCode, messageContains fragment: String? = nil,
    file: StaticString = #filePath, line: UInt = #line,
    _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        XCTFail("expected \(code), but the call succeeded", file: file, line: line)
    } catch let error as RPCError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        if let fragment {
            XCTAssertTrue(error.message.contains(fragment), "message '\(error.message)' lacks '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected RPCError \(code), got \(error)", file: file, line: line)
    }
}

extension PostgresClient {
    /// The single value of the first row, e.g. a count.
    func scalar<Value: PostgresDecodable>(_ query: PostgresQuery, as type: Value.Type = Value.self) async throws -> Value? {
        try await self.query(query).collect().first?.decode(Value.self)
    }
}
