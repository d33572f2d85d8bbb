import PostgresNIO
import PostgresTestSupport
import XCTest

@testable import DataService

final class MigrationRunnerTests: XCTestCase {
    // MARK: Loading

    func testBundledMigrationsAreNumberedFromOne() throws {
        let runner = try MigrationRunner.bundled()
        XCTAssertEqual(runner.migrations.first?.version, 1)
        XCTAssertEqual(runner.migrations.map(\.version), Array(1...runner.latestVersion))
    }

    func testFileIsSplitIntoStatementsWithoutComments() throws {
        let migration = try Migration(
            fileName: "0002_add_likes.sql",
            sql: """
                -- A comment; with a semicolon;
                CREATE TABLE likes (
                    id bigint -- trailing comment
                );

                  CREATE INDEX likes_idx ON likes (id);   \n
                """)
        XCTAssertEqual(migration.version, 2)
        XCTAssertEqual(migration.name, "add_likes")
        XCTAssertEqual(migration.statements.count, 2)
        XCTAssertTrue(migration.statements[0].hasPrefix("CREATE TABLE likes ("))
        XCTAssertTrue(migration.statements[1].contains("CREATE INDEX likes_idx"))
    }

    func testMalformedFilesAreRejected() {
        for name in [
            "1_initial.sql", "00001_initial.sql", "0000_initial.sql", "0001-initial.sql", "0001_.sql",
            "0001_Initial.sql", "0001_initial.SQL", "abcd_initial.sql", "0001initial.sql",
        ] {
            XCTAssertThrowsError(try Migration(fileName: name, sql: "SELECT 1;")) { error in
                XCTAssertEqual(error as? MigrationError, .malformedFileName(name))
            }
        }
        XCTAssertThrowsError(try Migration(fileName: "0001_a.sql", sql: "SELECT 1;\nSELECT 2"))
        XCTAssertThrowsError(try Migration(fileName: "0001_a.sql", sql: "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;"))
        XCTAssertThrowsError(try Migration(fileName: "0001_a.sql", sql: "-- nothing\n"))
    }

    func testRefusalChecksAreMarkedByADirective() throws {
        let migration = try Migration(
            fileName: "0002_checked.sql",
            sql: """
                -- An ordinary comment.
                --! refuse-if-rows: names collide
                SELECT name
                FROM t;
                CREATE INDEX t_idx ON t (name);
                """)
        XCTAssertEqual(
            migration.steps,
            [
                .refuseIfRows(query: "SELECT name\nFROM t;", reason: "names collide"),
                .execute("CREATE INDEX t_idx ON t (name);"),
            ])
        for sql in [
            "--! refuse-if-rows: x\n", "--! refuse-if-rows:\nSELECT 1;", "--! other: x\nSELECT 1;", "SELECT\n--! refuse-if-rows: x\n1;",
        ] {
            XCTAssertThrowsError(try Migration(fileName: "0002_a.sql", sql: sql), sql)
        }
    }

    func testDuplicateVersionsAreRejected() throws {
        let first = Migration(version: 3, name: "a", statements: ["SELECT 1"])
        let second = Migration(version: 3, name: "b", statements: ["SELECT 1"])
        XCTAssertThrowsError(try MigrationRunner(migrations: [first, second])) { error in
            XCTAssertEqual(error as? MigrationError, .duplicateVersion(3))
        }
    }

    // MARK: Applying

    func testAppliesEverythingToAnEmptyDatabaseOnceAndRecordsIt() async throws {
        try await withTimeLimit {
            let logger = Logger(label: "migration-test")
            let runner = try MigrationRunner.bundled()
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                let applied = try await runner.run(on: client, logger: logger)
                XCTAssertEqual(applied, runner.migrations)

                let recorded = try await client.query("SELECT version, name FROM schema_migrations ORDER BY version")
                    .collect().map { try $0.decode((Int, String).self) }
                XCTAssertEqual(recorded.map(\.0), runner.migrations.map(\.version))
                XCTAssertEqual(recorded.map(\.1), runner.migrations.map(\.name))
                let tables = try await client.scalar(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('users', 'microposts', 'follows', 'revoked_tokens')",
                    as: Int.self
                )
                XCTAssertEqual(tables, 4)
                let heldLocks = try await client.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", as: Int.self)
                XCTAssertEqual(heldLocks, 0, "the advisory lock must be released")

                let again = try await runner.run(on: client, logger: logger)
                XCTAssertEqual(again, [], "a second run must find nothing to do")
                let rows = try await client.scalar("SELECT count(*) FROM schema_migrations", as: Int.self)
                XCTAssertEqual(rows, runner.migrations.count)
            }
        }
    }

    /// Several `data` instances starting together: each migration is applied by exactly one of them.
    func testConcurrentRunnersApplyEachMigrationExactlyOnce() async throws {
        try await withTimeLimit {
            let logger = Logger(label: "migration-test")
            let runner = try MigrationRunner.bundled()
            let cluster = try await PostgresTestCluster.shared()
            let database = try await cluster.createDatabase()

            let appliedByInstance = try await withThrowingTaskGroup(of: [Migration].self) { group in
                for _ in 0..<4 {
                    // A pool each, as separate processes would have.
                    group.addTask { try await cluster.withClient(database: database) { try await runner.run(on: $0, logger: logger) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            XCTAssertEqual(appliedByInstance.count, 4)
            XCTAssertEqual(appliedByInstance.flatMap { $0 }.map(\.version).sorted(), runner.migrations.map(\.version))
            let rows = try await cluster.withClient(database: database) {
                try await $0.scalar("SELECT count(*) FROM schema_migrations", as: Int.self)
            }
            XCTAssertEqual(rows, runner.migrations.count)
        }
    }

    func testDatabaseFromANewerBuildIsRefused() async throws {
        try await withTimeLimit {
            let logger = Logger(label: "migration-test")
            let runner = try MigrationRunner.bundled()
            try await PostgresTestCluster.withMigratedDatabase { client in
                let future = runner.latestVersion + 1
                try await client.query("INSERT INTO schema_migrations (version, name) VALUES (\(future), 'from_the_future')")
                do {
                    try await runner.run(on: client, logger: logger)
                    XCTFail("a newer schema was accepted")
                } catch let error as MigrationError {
                    XCTAssertEqual(error, .schemaTooNew(databaseVersion: future, buildVersion: runner.latestVersion))
                    XCTAssertEqual(
                        "\(error)",
                        "database schema version \(future) is newer than this build (\(runner.latestVersion)); upgrade the data service"
                    )
                }
            }
        }
    }

    func testFailingMigrationIsRolledBackAndNotRecorded() async throws {
        try await withTimeLimit {
            let logger = Logger(label: "migration-test")
            let bundled = try MigrationRunner.bundled()
            let broken = Migration(
                version: bundled.latestVersion + 1, name: "broken",
                statements: ["CREATE TABLE half_done (x int)", "SELECT * FROM no_such_table"]
            )
            let runner = try MigrationRunner(migrations: bundled.migrations + [broken])
            try await PostgresTestCluster.withMigratedDatabase { client in
                do {
                    try await runner.run(on: client, logger: logger)
                    XCTFail("the broken migration succeeded")
                } catch let MigrationError.failed(version, name, detail) {
                    XCTAssertEqual(version, broken.version)
                    XCTAssertEqual(name, "broken")
                    XCTAssertTrue(detail.contains("no_such_table"), detail)
                }
                let leftover = try await client.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'", as: Int.self)
                XCTAssertEqual(leftover, 0)
                let recorded = try await client.scalar("SELECT max(version) FROM schema_migrations", as: Int.self)
                XCTAssertEqual(recorded, bundled.latestVersion)
            }
        }
    }

    /// A live database with usernames that differ only in case cannot take the unique index on
    /// lower(username): the migration refuses, names every group, changes nothing, and goes
    /// through once the operator has renamed them.
    func testCaseInsensitiveUsernamesRefuseDuplicatesByName() async throws {
        try await withTimeLimit {
            let logger = Logger(label: "migration-test")
            let bundled = try MigrationRunner.bundled()
            let version = try XCTUnwrap(bundled.migrations.first { $0.name == "usernames_unique_ignoring_case" }?.version)
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                try await MigrationRunner(migrations: bundled.migrations.filter { $0.version < version }).run(on: client, logger: logger)
                for name in ["alice", "Alice", "bob", "BOB", "Bob", "carol", "dave.x"] {
                    try await client.query("INSERT INTO users (username, password_hash) VALUES (\(name), 'h')")
                }
                do {
                    try await bundled.run(on: client, logger: logger)
                    XCTFail("migrated over usernames that differ only in case")
                } catch let MigrationError.refused(refusedVersion, _, reason, violations, total) {
                    XCTAssertEqual(refusedVersion, version)
                    XCTAssertTrue(reason.contains("differ only in case"), reason)
                    XCTAssertEqual(violations, ["Alice = alice", "BOB = Bob = bob"])
                    XCTAssertEqual(total, 2)
                }
                let recorded = try await client.scalar("SELECT max(version) FROM schema_migrations", as: Int.self)
                XCTAssertEqual(recorded, version - 1)
                let index = try await client.scalar(
                    "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_username_lower_key'", as: Int.self)
                XCTAssertEqual(index, 0)

                try await client.query("UPDATE users SET username = username || '_2' WHERE username IN ('Alice', 'BOB')")
                try await client.query("UPDATE users SET username = 'bob_3' WHERE username = 'Bob'")
                let applied = try await bundled.run(on: client, logger: logger)
                XCTAssertEqual(applied.map(\.version), bundled.migrations.filter { $0.version >= version }.map(\.version))
                let names = try await client.query("SELECT username FROM users ORDER BY username COLLATE \"C\"").collect()
                    .map { try $0.decode(String.self) }
                XCTAssertEqual(names, ["Alice_2", "BOB_2", "alice", "bob", "bob_3", "carol", "dave.x"])
            }
        }
    }

    func testRefusalListsAreCut() {
        let error = MigrationError.refused(version: 2, name: "n", reason: "r", violations: ["a", "b"], total: 25)
        XCTAssertEqual("\(error)", "migration 2 (n) refused, nothing was changed: r: a; b; and 23 more")
    }

    func testWaitingForAnotherInstanceIsBounded() async throws {
        try await withTimeLimit {
            let logger = Logger(label: "migration-test")
            var runner = try MigrationRunner.bundled()
            runner.lockTimeout = .milliseconds(200)
            let cluster = try await PostgresTestCluster.shared()
            let database = try await cluster.createDatabase()
            try await cluster.withClient(database: database) { holder in
                try await holder.withConnection { connection in
                    // Another instance mid-migration: it holds the lock.
                    _ = try await connection.query("SELECT pg_advisory_lock(\(MigrationRunner.advisoryLockKey))", logger: logger).collect()
                    do {
                        try await cluster.withClient(database: database) { try await runner.run(on: $0, logger: logger) }
                        XCTFail("ran while another instance held the lock")
                    } catch let error as MigrationError {
                        XCTAssertEqual(error, .lockNotAcquired(waited: .milliseconds(200)))
                    }
                    _ = try await connection.query("SELECT pg_advisory_unlock(\(MigrationRunner.advisoryLockKey))", logger: logger)
                        .collect()
                }
            }
        }
    }

    /// The runner lifts the statement limit for itself; the pooled connection must get it back.
    func testConnectionGetsItsTimeoutsBackAfterARun() async throws {
        try await withTimeLimit {
            let logger = Logger(label: "migration-test")
            let cluster = try await PostgresTestCluster.shared()
            let settings = DatabaseSettings(
                host: cluster.host, port: cluster.port, username: cluster.username, password: cluster.password,
                database: try await cluster.createDatabase(), sslMode: .disable,
                maximumConnections: 1, statementTimeout: .milliseconds(1234)
            )
            let client = PostgresClient(configuration: settings.clientConfiguration())
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await MigrationRunner.bundled().run(on: client, logger: logger)
                let timeouts = try await client.query("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')")
                    .collect().first?.decode((String, String).self)
                XCTAssertEqual(timeouts?.0, "1234ms")
                XCTAssertEqual(timeouts?.1, "0")
            }
        }
    }
}
