import PostgresNIO
import PostgresTestSupport
import XCTest

@testable import DataService

final class DatabaseSettingsTests: XCTestCase {
    func testDefaults() throws {
        let settings = try DatabaseSettings.resolve(environment: [:])
        XCTAssertEqual(settings, DatabaseSettings())
        XCTAssertEqual(settings.host, "localhost")
        XCTAssertEqual(settings.port, 5432)
        XCTAssertEqual(settings.username, "postgres")
        XCTAssertNil(settings.password)
        XCTAssertEqual(settings.database, "microposts")
        XCTAssertEqual(settings.sslMode, .prefer)
        XCTAssertEqual(settings.maximumConnections, 8)
        XCTAssertEqual(settings.connectTimeout, .seconds(2))
        XCTAssertEqual(settings.statementTimeout, .seconds(5))
    }

    func testDatabaseURL() throws {
        let settings = try DatabaseSettings.resolve(environment: [
            "DATABASE_URL": "postgres://alice:s3cret@db.internal:6543/blog?sslmode=require"
        ])
        XCTAssertEqual(settings.host, "db.internal")
        XCTAssertEqual(settings.port, 6543)
        XCTAssertEqual(settings.username, "alice")
        XCTAssertEqual(settings.password, "s3cret")
        XCTAssertEqual(settings.database, "blog")
        XCTAssertEqual(settings.sslMode, .require)
    }

    func testDatabaseURLPercentDecodesCredentialsAndAcceptsPostgresqlScheme() throws {
        let settings = try DatabaseSettings.resolve(environment: [
            "DATABASE_URL": "postgresql://us%40er:p%3Aa%2Fss%20w%25rd@localhost/my%20db"
        ])
        XCTAssertEqual(settings.username, "us@er")
        XCTAssertEqual(settings.password, "p:a/ss w%rd")
        XCTAssertEqual(settings.database, "my db")
        XCTAssertEqual(settings.port, 5432)
    }

    func testDatabaseURLWithIPv6HostOrNoHost() throws {
        let ipv6 = try DatabaseSettings.resolve(environment: ["DATABASE_URL": "postgres://u@[::1]:5433/db"])
        XCTAssertEqual(ipv6.host, "::1")
        XCTAssertEqual(ipv6.port, 5433)
        // Parts left out of the URL fall through, as with libpq.
        let noHost = try DatabaseSettings.resolve(environment: ["DATABASE_URL": "postgres:///db", "PGHOST": "pg"])
        XCTAssertEqual(noHost.host, "pg")
        XCTAssertEqual(noHost.database, "db")
    }

    func testLibpqVariables() throws {
        let settings = try DatabaseSettings.resolve(environment: [
            "PGHOST": "pg", "PGPORT": "5433", "PGUSER": "bob", "PGPASSWORD": "pw",
            "PGDATABASE": "posts", "PGSSLMODE": "disable",
        ])
        XCTAssertEqual(
            settings, DatabaseSettings(host: "pg", port: 5433, username: "bob", password: "pw", database: "posts", sslMode: .disable))
    }

    func testPrecedenceIsOverridesThenURLThenLibpqThenDefaults() throws {
        let environment = [
            "DATABASE_URL": "postgres://url-user@url-host/url-db",
            "PGHOST": "pg-host", "PGPORT": "5999", "PGUSER": "pg-user", "PGPASSWORD": "pg-pass",
            "PGDATABASE": "pg-db", "PGSSLMODE": "disable",
        ]
        let fromEnvironment = try DatabaseSettings.resolve(environment: environment)
        XCTAssertEqual(fromEnvironment.host, "url-host")
        XCTAssertEqual(fromEnvironment.username, "url-user")
        XCTAssertEqual(fromEnvironment.database, "url-db")
        // Parts the URL leaves out fall through to the libpq variables.
        XCTAssertEqual(fromEnvironment.port, 5999)
        XCTAssertEqual(fromEnvironment.password, "pg-pass")
        XCTAssertEqual(fromEnvironment.sslMode, .disable)

        let overridden = try DatabaseSettings.resolve(
            environment: environment,
            overrides: .init(
                host: "flag-host", port: 7000, username: "flag-user", password: "flag-pass", database: "flag-db", sslMode: .verifyFull)
        )
        XCTAssertEqual(
            overridden,
            DatabaseSettings(
                host: "flag-host", port: 7000, username: "flag-user", password: "flag-pass", database: "flag-db", sslMode: .verifyFull
            ))
    }

    func testEmptyVariablesCountAsUnset() throws {
        let settings = try DatabaseSettings.resolve(environment: ["DATABASE_URL": "", "PGHOST": "", "PGPORT": ""])
        XCTAssertEqual(settings, DatabaseSettings())
    }

    func testBadValuesNameTheirVariable() {
        assertRejected(["PGPORT": "54x2"], source: "PGPORT", containing: "54x2")
        assertRejected(["PGPORT": "70000"], source: "PGPORT", containing: "70000")
        assertRejected(["PGSSLMODE": "sometimes"], source: "PGSSLMODE", containing: "sometimes")
        assertRejected(["PGSSLMODE": "allow"], source: "PGSSLMODE", containing: "allow")
        assertRejected(["DATABASE_URL": "postgres://u@h:99999/db"], source: "DATABASE_URL", containing: "99999")
        assertRejected(["DATABASE_URL": "postgres://u@h:port/db"], source: "DATABASE_URL", containing: "not a valid URL")
        assertRejected(["DATABASE_URL": "mysql://u@h/db"], source: "DATABASE_URL", containing: "scheme")
        assertRejected(["DATABASE_URL": "postgres://u@h/db?sslmode=bogus"], source: "DATABASE_URL", containing: "bogus")
        assertRejected(["DATABASE_URL": "postgres://u@h/db?sslmod=disable"], source: "DATABASE_URL", containing: "sslmod")
        assertRejected(["DATABASE_URL": "postgres://u@h/db/extra"], source: "DATABASE_URL", containing: "single database name")
        assertRejected(["PGHOST": "a,b"], source: "PGHOST", containing: "several hosts")
    }

    func testErrorsNeverEchoThePassword() {
        assertRejected(["DATABASE_URL": "postgres://u:hunter2@h:99999/db"], source: "DATABASE_URL", containing: "port")
        do {
            _ = try DatabaseSettings.resolve(environment: ["DATABASE_URL": "postgres://u:hunter2@h:bad/db"])
        } catch {
            XCTAssertFalse("\(error)".contains("hunter2"))
        }
        XCTAssertFalse("\(DatabaseSettings(password: "hunter2"))".contains("hunter2"))
    }

    func testClientConfiguration() {
        let settings = DatabaseSettings(
            host: "db", port: 6000, username: "u", password: "p", database: "d", sslMode: .disable,
            maximumConnections: 3, connectTimeout: .milliseconds(1500), statementTimeout: .milliseconds(250)
        )
        let configuration = settings.clientConfiguration()
        XCTAssertEqual(configuration.host, "db")
        XCTAssertEqual(configuration.port, 6000)
        XCTAssertEqual(configuration.username, "u")
        XCTAssertEqual(configuration.password, "p")
        XCTAssertEqual(configuration.database, "d")
        XCTAssertEqual(configuration.options.maximumConnections, 3)
        XCTAssertEqual(configuration.options.connectTimeout, .milliseconds(1500))
        let parameters = Dictionary(uniqueKeysWithValues: configuration.options.additionalStartupParameters)
        XCTAssertEqual(parameters["statement_timeout"], "250")
    }

    func testSocketFolderHostUsesTheUnixSocket() {
        let configuration = DatabaseSettings(host: "/var/run/postgresql", port: 5433).clientConfiguration()
        XCTAssertEqual(configuration.unixSocketPath, "/var/run/postgresql/.s.PGSQL.5433")
        XCTAssertNil(configuration.host)
    }

    /// The limit must reach every pooled connection, not only one that happened to run a SET.
    func testStatementTimeoutIsAppliedToEveryConnection() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            let settings = DatabaseSettings(
                host: cluster.host, port: cluster.port, username: cluster.username, password: cluster.password,
                database: cluster.database, sslMode: .disable, statementTimeout: .milliseconds(300)
            )
            let client = PostgresClient(configuration: settings.clientConfiguration())
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }

                let shown = try await client.query("SHOW statement_timeout").collect().first?.decode(String.self)
                XCTAssertEqual(shown, "300ms")
                do {
                    _ = try await client.query("SELECT pg_sleep(5)").collect()
                    XCTFail("pg_sleep(5) outlived a 300 ms statement timeout")
                } catch let error as PSQLError {
                    XCTAssertEqual(error.serverInfo?[.sqlState], "57014", String(reflecting: error))  // query_canceled
                }
            }
        }
    }

    private func assertRejected(
        _ environment: [String: String], source: String, containing text: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try DatabaseSettings.resolve(environment: environment), file: file, line: line) { error in
            guard let error = error as? DatabaseSettingsError else {
                return XCTFail("unexpected error \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.source, source, file: file, line: line)
            XCTAssertTrue(error.description.contains(text), "\(error) does not mention \(text)", file: file, line: line)
            XCTAssertFalse(error.description.contains("hunter2"), file: file, line: line)
        }
    }
}
