import Foundation
import Logging
import MicropostsModels
import PostgresData
import PostgresNIO
import PostgresTestSupport
import RPC
import ServiceTestSupport
import XCTest

@testable import DataService

/// The real `data` executable against the test cluster.
final class DataProcessTests: XCTestCase {
    private func databaseURL() async throws -> (url: String, cluster: PostgresTestCluster, database: String) {
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.createDatabase()
        let url = "postgres://\(cluster.username):\(cluster.password)@\(cluster.host):\(cluster.port)/\(database)?sslmode=disable"
        return (url, cluster, database)
    }

    func testServesCallsAndDrainsOnSIGTERM() async throws {
        let (url, _, _) = try await databaseURL()
        let rpcPort = try freePort()
        let process = try ServiceProcess(
            "data",
            arguments: [
                "--rpc-listen", "127.0.0.1:\(rpcPort)", "--database-url", url, "--db-pool-size", "2",
            ])
        try await process.waitForAdmin("/readyz", status: 200)

        let client = RPCClient(target: try RPCTarget(parsing: "127.0.0.1:\(rpcPort)"), logger: quietLogger)
        let clientTask = Task { try await client.run() }
        defer { clientTask.cancel() }
        let user = try await client.call(.registerUser, RegisterUserRequest(username: "ana", password: "password123"))
        XCTAssertEqual(user.username, "ana")
        let verified = try await client.call(.verifyCredentials, VerifyCredentialsRequest(username: "ana", password: "password123"))
        XCTAssertEqual(verified, user)
        let loggedIn = try await client.call(.logIn, VerifyCredentialsRequest(username: "ana", password: "password123"))
        XCTAssertEqual(loggedIn, .verified(user))
        let post = try await client.call(.createMicropost, CreateMicropostRequest(username: "ana", text: "from a real process"))
        let page = try await client.call(.listMicroposts, UserListRequest(username: "ana"))
        XCTAssertEqual(page.items, [post])
        _ = try await client.call(.getUser, GetUserRequest(username: "ana"))

        // The pool's and the batched statements' metrics, one series per statement.
        let metrics = try await httpGet(port: process.adminPort, path: "/metrics").body
        for series in [
            #"db_batch_requests_count{statement="micropost_inserts"} 1"#,
            #"db_batch_requests_count{statement="collection_pages"} 1"#,
            #"db_batch_requests_count{statement="user_reads"} 1"#,
            #"db_batch_coalesced_requests_total{statement="user_reads"} 0"#,
            #"db_batch_rows_bucket{statement="user_reads",le="1.0"} 1"#,
            // The gauge's value is not asserted: the health check and the GIN cleanup lease a
            // connection now and then, and a scrape may catch one in use.
            "db_connections_in_use ", "db_pool_wait_seconds_count",
        ] {
            XCTAssertTrue(metrics.contains(series), "/metrics lacks \(series)")
        }

        let status = try await process.stop(signal: SIGTERM, timeout: .seconds(15))
        XCTAssertEqual(status, 0, process.standardOutput)
    }

    /// Issue 14: anything that could reach the port could write any user's microposts by
    /// naming the user. With RPC_SECRET set, only a peer that knows it gets to call.
    /// The timeouts are the largest the settings accept, which must not wrap into the past.
    func testSecretKeepsUnauthenticatedCallersOutAndHugeTimeoutsDoNotWrap() async throws {
        let (url, _, _) = try await databaseURL()
        let rpcPort = try freePort()
        let secret = "data-process-test-secret-0123456789abcdef"
        let forever = "\(Int64.max)ms"
        let process = try ServiceProcess(
            "data",
            arguments: [
                "--rpc-listen", "127.0.0.1:\(rpcPort)", "--database-url", url, "--db-pool-size", "2",
                "--db-connect-timeout", forever, "--rpc-handshake-timeout", forever, "--rpc-idle-timeout", forever, "--rpc-frame-timeout",
                forever,
            ], environment: ["RPC_SECRET": secret])
        try await process.waitForAdmin("/readyz", status: 200)
        defer { process.process.terminate() }

        var configuration = RPCClientConfiguration()
        configuration.maximumAttempts = 1
        let target = try RPCTarget(parsing: "127.0.0.1:\(rpcPort)")
        let intruder = RPCClient(target: target, configuration: configuration, logger: quietLogger)
        configuration.secret = RPCSecret(secret)
        configuration.defaultTimeout = .milliseconds(Int64.max)
        let trusted = RPCClient(target: target, configuration: configuration, logger: quietLogger)
        let clients = Task {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await intruder.run() }
                group.addTask { try await trusted.run() }
            }
        }
        defer { clients.cancel() }

        _ = try await trusted.call(.registerUser, RegisterUserRequest(username: "ana", password: "password123"))
        do {
            _ = try await intruder.call(.createMicropost, CreateMicropostRequest(username: "ana", text: "not ana's"))
            XCTFail("an unauthenticated caller created a micropost")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .unauthenticated, "\(error)")
        }
        let page = try await trusted.call(.listMicroposts, UserListRequest(username: "ana"))
        XCTAssertEqual(page.items, [])
        let status = try await process.stop(signal: SIGTERM, timeout: .seconds(15))
        XCTAssertEqual(status, 0)
    }

    func testMigrateAppliesOnceAndExits() async throws {
        let (url, cluster, database) = try await databaseURL()
        for _ in 1...2 {
            let result = try await runTool("data", ["migrate", "--database-url", url])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        }
        let versions = try await cluster.withClient(database: database) { client in
            try await client.query("SELECT version FROM schema_migrations ORDER BY version").collect().map { try $0.decode(Int.self) }
        }
        XCTAssertEqual(versions, try MigrationRunner.bundled().migrations.map(\.version))
    }

    func testMigrateFailsWhenTheDatabaseIsUnreachable() async throws {
        let port = try freePort()
        let started = ContinuousClock.now
        let result = try await runTool(
            "data",
            [
                "migrate", "--database-url", "postgres://nobody@127.0.0.1:\(port)/none?sslmode=disable", "--db-connect-timeout", "500ms",
            ])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
    }

    func testHelpMentionsMigrateAndTheDatabaseSettings() async throws {
        let result = try await runTool("data", ["--help"])
        XCTAssertEqual(result.status, 0)
        for fragment in [
            "data migrate", "--database-url", "DATABASE_URL", "PGHOST", "--db-pool-size", "--db-connect-timeout",
            "--db-statement-timeout", "--password-hash-iterations",
        ] {
            XCTAssertTrue(result.stdout.contains(fragment), "--help lacks \(fragment)")
        }
    }

    func testHealthcheckFailsWhileTheDatabaseIsUnreachable() async throws {
        let databasePort = try freePort()
        let process = try ServiceProcess(
            "data",
            arguments: [
                "--rpc-listen", "127.0.0.1:\(try freePort())",
                "--database-url", "postgres://nobody@127.0.0.1:\(databasePort)/none?sslmode=disable", "--db-connect-timeout", "500ms",
            ])
        try await process.waitForAdmin("/healthz", status: 200)
        let result = try await runTool("data", ["healthcheck", "--admin-port", "\(process.adminPort)"])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("answered 503"), result.stderr)
        _ = try await process.stop(signal: SIGTERM, timeout: .seconds(15))
    }

    func testAnExamplePasswordFromTheDocumentationIsRefused() async throws {
        let result = try await runTool("data", ["--database-url", "postgres://microposts:change-me@db:5432/microposts"])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("DATABASE_URL") && result.stderr.contains("example value"), result.stderr)
        XCTAssertFalse(result.stderr.contains("change-me"), "the password must not be echoed: \(result.stderr)")
    }

    func testPoolSizeBelowOneIsRejected() async throws {
        let result = try await runTool("data", ["--db-pool-size", "0"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--db-pool-size"), result.stderr)
    }
}
