import PostgresData
import PostgresNIO
import PostgresTestSupport
import ServiceKit
import XCTest

/// What an app passes for what the environment leaves out.
private let defaults = DatabaseSettings(database: "inventory", applicationName: "inventory-data")

private func resolve(
    environment: [String: String], overrides: DatabaseSettings.Overrides = DatabaseSettings.Overrides()
) throws -> DatabaseSettings {
    try DatabaseSettings.resolve(environment: environment, overrides: overrides, defaults: defaults)
}

final class DatabaseSettingsTests: XCTestCase {
    func testDefaults() throws {
        let settings = try resolve(environment: [:])
        XCTAssertEqual(settings, defaults)
        XCTAssertEqual(settings.host, "localhost")
        XCTAssertEqual(settings.port, 5432)
        XCTAssertEqual(settings.username, "postgres")
        XCTAssertNil(settings.password)
        XCTAssertEqual(settings.database, "inventory")
        XCTAssertEqual(settings.sslMode, .prefer)
        XCTAssertEqual(settings.maximumConnections, 8)
        XCTAssertEqual(settings.connectTimeout, .seconds(2))
        XCTAssertEqual(settings.statementTimeout, .seconds(5))
        XCTAssertEqual(settings.applicationName, "inventory-data")
    }

    /// The app's defaults are the last resort for every field, and fields the environment
    /// cannot set (pool, timeouts, application name) are taken from them as they are.
    func testTheAppsDefaultsFillWhatTheEnvironmentLeavesOut() throws {
        var appDefaults = defaults
        appDefaults.host = "db.inventory"
        appDefaults.port = 6000
        appDefaults.maximumConnections = 3
        appDefaults.statementTimeout = .milliseconds(700)
        let settings = try DatabaseSettings.resolve(environment: ["PGPORT": "6001"], defaults: appDefaults)
        XCTAssertEqual(settings.host, "db.inventory")
        XCTAssertEqual(settings.port, 6001)
        XCTAssertEqual(settings.maximumConnections, 3)
        XCTAssertEqual(settings.statementTimeout, .milliseconds(700))
        XCTAssertEqual(settings.applicationName, "inventory-data")
    }

    func testFlagsOverrideTheEnvironmentAndHelpShowsTheAppsDefaults() {
        let environment = ["DATABASE_URL": "postgres://ignored@elsewhere/other", "PGPORT": "5999", "DB_CONNECT_TIMEOUT": "3s"]
        var reader = ConfigReader(
            arguments: ["--database-url", "postgres://ana@db/stock", "--db-pool-size", "4", "--db-statement-timeout", "250ms"],
            environment: environment)
        let settings = DatabaseSettings.read(from: &reader, environment: environment, defaults: defaults)
        XCTAssertNoThrow(try reader.finish())
        XCTAssertEqual(settings.host, "db")
        XCTAssertEqual(settings.username, "ana")
        XCTAssertEqual(settings.database, "stock")
        XCTAssertEqual(settings.port, 5999)
        XCTAssertEqual(settings.maximumConnections, 4)
        XCTAssertEqual(settings.connectTimeout, .seconds(3))
        XCTAssertEqual(settings.statementTimeout, .milliseconds(250))
        XCTAssertEqual(settings.applicationName, "inventory-data")
        let urlHelp = reader.documented.first { $0.name == "database-url" }?.help ?? ""
        XCTAssertTrue(urlHelp.contains("database inventory"), urlHelp)
    }

    func testABadURLFlagIsReportedWithTheOtherProblems() {
        var reader = ConfigReader(arguments: ["--database-url", "mysql://u@h/db", "--db-pool-size", "0"], environment: [:])
        _ = DatabaseSettings.read(from: &reader, environment: [:], defaults: defaults)
        XCTAssertThrowsError(try reader.finish()) { error in
            XCTAssertTrue("\(error)".contains("--database-url"), "\(error)")
            XCTAssertTrue("\(error)".contains("--db-pool-size"), "\(error)")
        }
    }

    func testTheApplicationNameReachesEveryConnection() {
        let parameters = Dictionary(uniqueKeysWithValues: defaults.clientConfiguration().options.additionalStartupParameters)
        XCTAssertEqual(parameters["application_name"], "inventory-data")
    }

    func testDatabaseURL() throws {
        let settings = try resolve(environment: [
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
        let settings = try resolve(environment: [
            "DATABASE_URL": "postgresql://us%40er:p%3Aa%2Fss%20w%25rd@localhost/my%20db"
        ])
        XCTAssertEqual(settings.username, "us@er")
        XCTAssertEqual(settings.password, "p:a/ss w%rd")
        XCTAssertEqual(settings.database, "my db")
        XCTAssertEqual(settings.port, 5432)
    }

    func testDatabaseURLWithIPv6HostOrNoHost() throws {
        let ipv6 = try resolve(environment: ["DATABASE_URL": "postgres://u@[::1]:5433/db"])
        XCTAssertEqual(ipv6.host, "::1")
        XCTAssertEqual(ipv6.port, 5433)
        // Parts left out of the URL fall through, as with libpq.
        let noHost = try resolve(environment: ["DATABASE_URL": "postgres:///db", "PGHOST": "pg"])
        XCTAssertEqual(noHost.host, "pg")
        XCTAssertEqual(noHost.database, "db")
    }

    func testLibpqVariables() throws {
        let settings = try resolve(environment: [
            "PGHOST": "pg", "PGPORT": "5433", "PGUSER": "bob", "PGPASSWORD": "pw",
            "PGDATABASE": "posts", "PGSSLMODE": "disable",
        ])
        XCTAssertEqual(
            settings,
            DatabaseSettings(
                host: "pg", port: 5433, username: "bob", password: "pw", database: "posts", sslMode: .disable,
                applicationName: "inventory-data"))
    }

    func testPrecedenceIsOverridesThenURLThenLibpqThenDefaults() throws {
        let environment = [
            "DATABASE_URL": "postgres://url-user@url-host/url-db",
            "PGHOST": "pg-host", "PGPORT": "5999", "PGUSER": "pg-user", "PGPASSWORD": "pg-pass",
            "PGDATABASE": "pg-db", "PGSSLMODE": "disable",
        ]
        let fromEnvironment = try resolve(environment: environment)
        XCTAssertEqual(fromEnvironment.host, "url-host")
        XCTAssertEqual(fromEnvironment.username, "url-user")
        XCTAssertEqual(fromEnvironment.database, "url-db")
        // Parts the URL leaves out fall through to the libpq variables.
        XCTAssertEqual(fromEnvironment.port, 5999)
        XCTAssertEqual(fromEnvironment.password, "pg-pass")
        XCTAssertEqual(fromEnvironment.sslMode, .disable)

        let overridden = try resolve(
            environment: environment,
            overrides: .init(
                host: "flag-host", port: 7000, username: "flag-user", password: "flag-pass", database: "flag-db", sslMode: .verifyFull)
        )
        XCTAssertEqual(
            overridden,
            DatabaseSettings(
                host: "flag-host", port: 7000, username: "flag-user", password: "flag-pass", database: "flag-db", sslMode: .verifyFull,
                applicationName: "inventory-data"))
    }

    func testEmptyVariablesCountAsUnset() throws {
        let settings = try resolve(environment: ["DATABASE_URL": "", "PGHOST": "", "PGPORT": ""])
        XCTAssertEqual(settings, defaults)
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
            _ = try resolve(environment: ["DATABASE_URL": "postgres://u:hunter2@h:bad/db"])
        } catch {
            XCTAssertFalse("\(error)".contains("hunter2"))
        }
        XCTAssertFalse("\(DatabaseSettings(password: "hunter2", database: "d", applicationName: "a"))".contains("hunter2"))
    }

    func testClientConfiguration() {
        let settings = DatabaseSettings(
            host: "db", port: 6000, username: "u", password: "p", database: "d", sslMode: .disable,
            maximumConnections: 3, connectTimeout: .milliseconds(1500), statementTimeout: .milliseconds(250), applicationName: "a"
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
        let configuration = DatabaseSettings(host: "/var/run/postgresql", port: 5433, database: "d", applicationName: "a")
            .clientConfiguration()
        XCTAssertEqual(configuration.unixSocketPath, "/var/run/postgresql/.s.PGSQL.5433")
        XCTAssertNil(configuration.host)
    }

    /// The limit must reach every pooled connection, not only one that happened to run a SET.
    func testStatementTimeoutIsAppliedToEveryConnection() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            let settings = DatabaseSettings(
                host: cluster.host, port: cluster.port, username: cluster.username, password: cluster.password,
                database: cluster.database, sslMode: .disable, statementTimeout: .milliseconds(300), applicationName: "a"
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
        XCTAssertThrowsError(try resolve(environment: environment), file: file, line: line) { error in
            guard let error = error as? DatabaseSettingsError else {
                return XCTFail("unexpected error \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.source, source, file: file, line: line)
            XCTAssertTrue(error.description.contains(text), "\(error) does not mention \(text)", file: file, line: line)
            XCTAssertFalse(error.description.contains("hunter2"), file: file, line: line)
        }
    }
}
