import PostgresNIO
import PostgresTestSupport
import XCTest

final class PostgresTestClusterTests: XCTestCase {
    func testSharedClusterAnswersQueries() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            let one = try await cluster.withClient { client in
                try await client.query("SELECT 1").collect().first?.decode(Int.self)
            }
            XCTAssertEqual(one, 1)
        }
    }

    func testWrongPasswordIsRefused() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            var configuration = PostgresConnection.Configuration(
                host: cluster.host, port: cluster.port, username: cluster.username,
                password: "not-the-password", database: cluster.database, tls: .disable
            )
            configuration.options.connectTimeout = .seconds(5)
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "test"))
                try await connection.close()
                XCTFail("connected with a wrong password")
            } catch let error as PSQLError {
                XCTAssertEqual(error.serverInfo?[.sqlState], "28P01", String(reflecting: error))
            }
        }
    }

    func testFreshDatabasesAreSeparate() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            let first = try await cluster.createDatabase()
            let second = try await cluster.createDatabase()
            XCTAssertNotEqual(first, second)
            let current = try await cluster.withClient(database: first) { client in
                try await client.query("SELECT current_database()").collect().first?.decode(String.self)
            }
            XCTAssertEqual(current, first)
        }
    }

    /// Uses its own cluster: stopping the shared one would break concurrent tests.
    func testServerComesBackOnTheSamePort() async throws {
        try await withTimeLimit(.seconds(60)) {
            let cluster = try await PostgresTestCluster.start()
            do {
                try await cluster.stopServer()
                // A single connection, not a pool: PostgresClient keeps retrying a down server for up to a minute.
                var configuration = PostgresConnection.Configuration(
                    host: cluster.host, port: cluster.port, username: cluster.username,
                    password: cluster.password, database: cluster.database, tls: .disable
                )
                configuration.options.connectTimeout = .seconds(1)
                do {
                    let connection = try await PostgresConnection.connect(
                        configuration: configuration, id: 1, logger: Logger(label: "test"))
                    try await connection.close()
                    XCTFail("connected to a stopped server")
                } catch {}

                try await cluster.startServer()
                let answer = try await cluster.withClient { client in
                    try await client.query("SELECT 1").collect().first?.decode(Int.self)
                }
                XCTAssertEqual(answer, 1)
                try await cluster.stop()
            } catch {
                try? await cluster.stop()
                throw error
            }
        }
    }
}
