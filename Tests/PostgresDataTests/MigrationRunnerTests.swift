import Foundation
import Logging
import PostgresData
import PostgresNIO
import PostgresTestSupport
import XCTest

/// The runner with an app of its own: the inventory migrations in this test bundle
/// (`Fixtures/InventoryMigrations`), under their own lock.
final class MigrationRunnerTests: XCTestCase {
    private static let logger = Logger(label: "migration-test")

    private static func inventory() throws -> MigrationRunner {
        try MigrationRunner(
            migrations: Migration.load(from: .module, subdirectory: "InventoryMigrations"), lock: MigrationLock(name: "inventory"))
    }

    /// Version 3 of the inventory: a change builds of schema 2 cannot run against.
    static let dropItemNames = Migration(
        version: 3, name: "drop_item_names", statements: ["ALTER TABLE items DROP COLUMN name"], compatibility: .contract)

    // MARK: Loading

    func testLoadsTheSQLFilesOfABundleFolder() throws {
        let runner = try Self.inventory()
        XCTAssertEqual(runner.migrations.map(\.version), [1, 2])
        XCTAssertEqual(runner.migrations.map(\.name), ["items", "stock"])
        XCTAssertEqual(runner.latestVersion, 2)
        XCTAssertEqual(runner.historyTable, "schema_migrations")
        XCTAssertEqual(
            runner.migrations[1].steps.first,
            .refuseIfRows(
                query: "SELECT sku FROM items WHERE length(sku) > 20;", reason: "every item needs a SKU of at most 20 characters first"))
    }

    func testAMissingFolderIsReported() {
        XCTAssertThrowsError(try Migration.load(from: .module, subdirectory: "NoSuchFolder")) { error in
            XCTAssertEqual(error as? MigrationError, .missingFolder("NoSuchFolder"))
        }
    }

    func testFileIsSplitIntoStatementsWithoutComments() throws {
        let migration = try Migration(
            fileName: "0002_add_likes.sql",
            sql: """
                --! expand
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
        for sql in ["SELECT 1;\nSELECT 2", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;", "-- nothing\n"] {
            XCTAssertThrowsError(try Migration(fileName: "0001_a.sql", sql: "--! contract\n" + sql), sql)
        }
    }

    func testRefusalChecksAreMarkedByADirective() throws {
        let migration = try Migration(
            fileName: "0002_checked.sql",
            sql: """
                -- An ordinary comment.
                --! contract
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
            XCTAssertThrowsError(try Migration(fileName: "0002_a.sql", sql: "--! expand\n" + sql), sql)
        }
    }

    func testDuplicateVersionsAreRejected() throws {
        let first = Migration(version: 3, name: "a", statements: ["SELECT 1"])
        let second = Migration(version: 3, name: "b", statements: ["SELECT 1"])
        XCTAssertThrowsError(try MigrationRunner(migrations: [first, second], lock: MigrationLock(name: "x"))) { error in
            XCTAssertEqual(error as? MigrationError, .duplicateVersion(3))
        }
    }

    /// The history table's name is spliced into SQL: only plain identifiers pass.
    func testHistoryTableMustBeAPlainIdentifier() throws {
        for name in ["", "Schema", "1migrations", "a-b", "a b", "t; DROP TABLE x", "\"quoted\"", String(repeating: "a", count: 64)] {
            XCTAssertThrowsError(try MigrationRunner(migrations: [], lock: MigrationLock(name: "x"), historyTable: name)) { error in
                XCTAssertEqual(error as? MigrationError, .invalidHistoryTable(name))
            }
        }
        XCTAssertNoThrow(try MigrationRunner(migrations: [], lock: MigrationLock(name: "x"), historyTable: "billing_migrations_2"))
    }

    /// A key derived from a name must be the same in every build and differ between apps.
    func testLockKeysDerivedFromNamesAreStableAndDistinct() {
        XCTAssertEqual(MigrationLock(name: "inventory"), MigrationLock(name: "inventory"))
        XCTAssertEqual(MigrationLock(name: "").key, Int64(bitPattern: 0xcbf2_9ce4_8422_2325), "FNV-1a's offset basis")
        XCTAssertEqual(MigrationLock(name: "a").key, Int64(bitPattern: 0xaf63_dc4c_8601_ec8c), "FNV-1a 64 of \"a\"")
        XCTAssertNotEqual(MigrationLock(name: "inventory"), MigrationLock(name: "billing"))
    }

    // MARK: Applying

    func testAppliesEverythingToAnEmptyDatabaseOnceAndRecordsIt() async throws {
        try await withTimeLimit {
            let runner = try Self.inventory()
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                let applied = try await runner.run(on: client, logger: Self.logger)
                XCTAssertEqual(applied, runner.migrations)

                let recorded = try await client.query("SELECT version, name FROM schema_migrations ORDER BY version")
                    .collect().map { try $0.decode((Int, String).self) }
                XCTAssertEqual(recorded.map(\.0), runner.migrations.map(\.version))
                XCTAssertEqual(recorded.map(\.1), runner.migrations.map(\.name))
                let tables = try await client.scalar(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('items', 'stock')", as: Int.self)
                XCTAssertEqual(tables, 2)
                let heldLocks = try await client.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", as: Int.self)
                XCTAssertEqual(heldLocks, 0, "the advisory lock must be released")

                let again = try await runner.run(on: client, logger: Self.logger)
                XCTAssertEqual(again, [], "a second run must find nothing to do")
                let rows = try await client.scalar("SELECT count(*) FROM schema_migrations", as: Int.self)
                XCTAssertEqual(rows, runner.migrations.count)
            }
        }
    }

    /// Several instances starting together: each migration is applied by exactly one of them.
    func testConcurrentRunnersApplyEachMigrationExactlyOnce() async throws {
        try await withTimeLimit {
            let runner = try Self.inventory()
            let cluster = try await PostgresTestCluster.shared()
            let database = try await cluster.createDatabase()

            let appliedByInstance = try await withThrowingTaskGroup(of: [Migration].self) { group in
                for _ in 0..<4 {
                    // A pool each, as separate processes would have.
                    group.addTask {
                        try await cluster.withClient(database: database) { try await runner.run(on: $0, logger: Self.logger) }
                    }
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

    /// Two apps sharing one database, each with its own lock and history table: while one
    /// app's migration holds its lock, the other migrates all the same, and neither's history
    /// hides the other's versions.
    func testTwoAppsMigrateOneDatabaseWithoutBlockingEachOther() async throws {
        try await withTimeLimit {
            var inventory = try MigrationRunner(
                migrations: Migration.load(from: .module, subdirectory: "InventoryMigrations"), lock: MigrationLock(name: "inventory"),
                historyTable: "inventory_migrations")
            inventory.settings.lockWait = .milliseconds(300)
            var billing = try MigrationRunner(
                migrations: [
                    Migration(version: 1, name: "invoices", statements: ["CREATE TABLE invoices (id bigint PRIMARY KEY)"]),
                    Migration(version: 2, name: "invoice_lines", statements: ["CREATE TABLE invoice_lines (invoice bigint)"]),
                ],
                lock: MigrationLock(name: "billing"), historyTable: "billing_migrations")
            billing.settings.lockWait = .milliseconds(300)
            XCTAssertNotEqual(inventory.lock, billing.lock)

            let cluster = try await PostgresTestCluster.shared()
            let database = try await cluster.createDatabase()
            try await cluster.withClient(database: database) { holder in
                try await holder.withConnection { connection in
                    // An inventory instance mid-migration: it holds the inventory lock.
                    _ = try await connection.query("SELECT pg_advisory_lock(\(inventory.lock.key))", logger: Self.logger).collect()
                    let applied = try await cluster.withClient(database: database) { try await billing.run(on: $0, logger: Self.logger) }
                    XCTAssertEqual(applied.map(\.version), [1, 2], "billing does not wait for inventory's lock")
                    do {
                        try await cluster.withClient(database: database) { try await inventory.run(on: $0, logger: Self.logger) }
                        XCTFail("inventory migrated while another inventory instance held its lock")
                    } catch let error as MigrationError {
                        XCTAssertEqual(error, .lockNotAcquired(waited: .milliseconds(300)))
                    }
                    _ = try await connection.query("SELECT pg_advisory_unlock(\(inventory.lock.key))", logger: Self.logger).collect()
                }
                let applied = try await inventory.run(on: holder, logger: Self.logger)
                XCTAssertEqual(applied.map(\.version), [1, 2], "billing's versions 1 and 2 are not inventory's")
                let histories = try await holder.query(
                    "SELECT (SELECT count(*) FROM inventory_migrations), (SELECT count(*) FROM billing_migrations)"
                ).collect().first?.decode((Int, Int).self)
                XCTAssertEqual(histories?.0, 2)
                XCTAssertEqual(histories?.1, 2)
            }
        }
    }

    func testDatabaseFromANewerBuildIsRefused() async throws {
        try await withTimeLimit {
            let runner = try Self.inventory()
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                try await runner.run(on: client, logger: Self.logger)
                let future = runner.latestVersion + 1
                try await client.query("INSERT INTO schema_migrations (version, name) VALUES (\(future), 'from_the_future')")
                do {
                    try await runner.run(on: client, logger: Self.logger)
                    XCTFail("a newer schema was accepted")
                } catch let error as MigrationError {
                    XCTAssertEqual(
                        error, .schemaTooNew(databaseVersion: future, requiredVersion: future, buildVersion: runner.latestVersion))
                    XCTAssertEqual(
                        "\(error)",
                        "database schema version \(future) needs a build of schema \(future) or newer, "
                            + "and this build's is \(runner.latestVersion); upgrade this service")
                }
            }
        }
    }

    func testFailingMigrationIsRolledBackAndNotRecorded() async throws {
        try await withTimeLimit {
            let inventory = try Self.inventory()
            let broken = Migration(
                version: inventory.latestVersion + 1, name: "broken",
                statements: ["CREATE TABLE half_done (x int)", "SELECT * FROM no_such_table"]
            )
            let runner = try MigrationRunner(migrations: inventory.migrations + [broken], lock: inventory.lock)
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                do {
                    try await runner.run(on: client, logger: Self.logger)
                    XCTFail("the broken migration succeeded")
                } catch let MigrationError.failed(version, name, detail) {
                    XCTAssertEqual(version, broken.version)
                    XCTAssertEqual(name, "broken")
                    XCTAssertTrue(detail.contains("no_such_table"), detail)
                }
                let leftover = try await client.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'", as: Int.self)
                XCTAssertEqual(leftover, 0)
                let recorded = try await client.scalar("SELECT max(version) FROM schema_migrations", as: Int.self)
                XCTAssertEqual(recorded, inventory.latestVersion)
            }
        }
    }

    /// A check that finds rows refuses its migration, names them, and changes nothing; the
    /// migration goes through once the rows are fixed.
    func testARefusalNamesTheOffendingRowsAndChangesNothing() async throws {
        try await withTimeLimit {
            let inventory = try Self.inventory()
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                try await MigrationRunner(migrations: Array(inventory.migrations.prefix(1)), lock: inventory.lock)
                    .run(on: client, logger: Self.logger)
                for sku in ["short", "a-sku-that-is-far-too-long", "another-sku-far-too-long"] {
                    try await client.query("INSERT INTO items (sku, name) VALUES (\(sku), 'thing')")
                }
                do {
                    try await inventory.run(on: client, logger: Self.logger)
                    XCTFail("migrated over SKUs that are too long")
                } catch let MigrationError.refused(version, _, reason, violations, total) {
                    XCTAssertEqual(version, 2)
                    XCTAssertTrue(reason.contains("at most 20 characters"), reason)
                    XCTAssertEqual(Set(violations), ["a-sku-that-is-far-too-long", "another-sku-far-too-long"])
                    XCTAssertEqual(total, 2)
                }
                let stock = try await client.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'stock'", as: Int.self)
                XCTAssertEqual(stock, 0)

                try await client.query("UPDATE items SET sku = left(sku, 20)")
                let applied = try await inventory.run(on: client, logger: Self.logger)
                XCTAssertEqual(applied.map(\.version), [2])
            }
        }
    }

    func testRefusalListsAreCut() {
        let error = MigrationError.refused(version: 2, name: "n", reason: "r", violations: ["a", "b"], total: 25)
        XCTAssertEqual("\(error)", "migration 2 (n) refused, nothing was changed: r: a; b; and 23 more")
    }

    func testWaitingForAnotherInstanceIsBounded() async throws {
        try await withTimeLimit {
            var runner = try Self.inventory()
            runner.settings.lockWait = .milliseconds(200)
            let cluster = try await PostgresTestCluster.shared()
            let database = try await cluster.createDatabase()
            try await cluster.withClient(database: database) { holder in
                try await holder.withConnection { connection in
                    // Another instance mid-migration: it holds the lock.
                    _ = try await connection.query("SELECT pg_advisory_lock(\(runner.lock.key))", logger: Self.logger).collect()
                    do {
                        try await cluster.withClient(database: database) { try await runner.run(on: $0, logger: Self.logger) }
                        XCTFail("ran while another instance held the lock")
                    } catch let error as MigrationError {
                        XCTAssertEqual(error, .lockNotAcquired(waited: .milliseconds(200)))
                    }
                    _ = try await connection.query("SELECT pg_advisory_unlock(\(runner.lock.key))", logger: Self.logger).collect()
                }
            }
        }
    }

    /// The runner lifts the statement limit for itself; the pooled connection must get it back.
    func testConnectionGetsItsTimeoutsBackAfterARun() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            var settings = cluster.settings(database: try await cluster.createDatabase())
            settings.maximumConnections = 1
            settings.statementTimeout = .milliseconds(1234)
            let client = PostgresClient(configuration: settings.clientConfiguration())
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await Self.inventory().run(on: client, logger: Self.logger)
                let timeouts = try await client.query("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')")
                    .collect().first?.decode((String, String).self)
                XCTAssertEqual(timeouts?.0, "1234ms")
                XCTAssertEqual(timeouts?.1, "0")
            }
        }
    }

    /// Through ``Database``: a database that cannot be reached fails the attempt within the
    /// lease timeout with an RPC status, which ``DatabaseMonitor`` retries; a schema problem
    /// is a ``MigrationError``, which it does not.
    func testMigratingThroughTheDatabaseSeparatesOutagesFromSchemaProblems() async throws {
        try await withTimeLimit {
            try await withDatabase(availability: .starting) { database in
                let newer = try MigrationRunner(
                    migrations: Self.inventory().migrations + [Self.dropItemNames], lock: MigrationLock(name: "inventory"))
                let applied = try await database.migrate(with: newer, logger: quietLogger)
                XCTAssertEqual(applied.map(\.version), [1, 2, 3], "migrations need no availability: they are how it is learned")
                do {
                    try await database.migrate(with: Self.inventory(), logger: quietLogger)
                    XCTFail("an older build migrated a newer, incompatible schema")
                } catch let error as MigrationError {
                    XCTAssertEqual(error, .schemaTooNew(databaseVersion: 3, requiredVersion: 3, buildVersion: 2))
                }
            }
        }
    }
}
