import Logging
import NIOConcurrencyHelpers
import PostgresData
import PostgresNIO
import PostgresTestSupport
import XCTest

/// Schema changes that deploy like code: expand and contract migrations across builds,
/// statements that must run outside a transaction, and migrations that step aside for live
/// traffic instead of stalling it behind a lock.
final class MigrationEvolutionTests: XCTestCase {
    private static let logger = Logger(label: "migration-evolution-test")

    private static func inventory() throws -> [Migration] {
        try Migration.load(from: .module, subdirectory: "InventoryMigrations").sorted { $0.version < $1.version }
    }

    /// The inventory's next releases: a column and its index that builds of schema 2 ignore,
    /// then the removal of a column those builds still write.
    private static func colours() throws -> [Migration] {
        [
            try Migration(fileName: "0003_item_colours.sql", sql: "--! expand\nALTER TABLE items ADD COLUMN colour text;\n"),
            try Migration(
                fileName: "0004_item_colours_index.sql",
                sql: """
                    -- Builds without colours never query by it.
                    --! expand
                    --! no-transaction
                    DROP INDEX CONCURRENTLY IF EXISTS items_colour_idx;
                    CREATE INDEX CONCURRENTLY items_colour_idx ON items (colour);
                    """),
        ]
    }
    private static let dropNames = Migration(
        version: 5, name: "drop_item_names", statements: ["ALTER TABLE items DROP COLUMN name"], compatibility: .contract)

    private static func runner(_ migrations: [Migration]) throws -> MigrationRunner {
        try MigrationRunner(migrations: migrations, lock: MigrationLock(name: "inventory"))
    }

    // MARK: Declarations

    func testFilesDeclareCompatibilityAndHowTheyRun() throws {
        let index = try Self.colours()[1]
        XCTAssertEqual(index.compatibility, .expand)
        XCTAssertFalse(index.inTransaction)
        XCTAssertEqual(index.statements.count, 2)
        let drop = try Migration(fileName: "0005_drop.sql", sql: "--! contract\nALTER TABLE items DROP COLUMN name;\n")
        XCTAssertEqual(drop.compatibility, .contract)
        XCTAssertTrue(drop.inTransaction)

        XCTAssertThrowsError(try Migration(fileName: "0005_drop.sql", sql: "ALTER TABLE items DROP COLUMN name;\n")) { error in
            guard case .unsupportedSQL(_, let reason)? = error as? MigrationError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("'--! expand'") && reason.contains("'--! contract'"), reason)
        }
        for sql in [
            "--! expand\n--! contract\nSELECT 1;",
            "--! expand\nSELECT 1;\n--! no-transaction\nSELECT 2;",
            "SELECT 1;\n--! expand\n",
            "--! expand\n--! refuse-if-rows: r\n--! no-transaction\nSELECT 1;",
        ] {
            XCTAssertThrowsError(try Migration(fileName: "0005_a.sql", sql: sql), sql)
        }
    }

    func testTheOldestCompatibleBuildFollowsTheLastContractMigration() throws {
        let runner = try Self.runner(Self.inventory() + Self.colours() + [Self.dropNames])
        XCTAssertEqual(runner.oldestCompatibleBuild, [1: 1, 2: 1, 3: 1, 4: 1, 5: 5])
    }

    // MARK: Builds side by side

    /// A rolling deploy and its rollback: the build of schema 2 keeps starting, and its
    /// statements keep working, after the next build's expand migrations; once a contract
    /// migration is applied, builds that do not know it refuse to start instead of failing
    /// on every request.
    func testAnOlderBuildRunsOnANewerSchemaUntilAContractMigration() async throws {
        try await withTimeLimit {
            let old = try Self.runner(Self.inventory())
            let expanded = try Self.runner(Self.inventory() + Self.colours())
            let contracted = try Self.runner(Self.inventory() + Self.colours() + [Self.dropNames])
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                let expandedApplied = try await expanded.run(on: client, logger: Self.logger).map(\.version)
                XCTAssertEqual(expandedApplied, [1, 2, 3, 4])
                let recorded = try await client.query("SELECT version, oldest_compatible FROM schema_migrations ORDER BY version")
                    .collect().map { try $0.decode((Int, Int).self) }
                XCTAssertEqual(recorded.map(\.1), [1, 1, 1, 1])

                let oldApplied = try await old.run(on: client, logger: Self.logger)
                XCTAssertEqual(oldApplied, [], "the older build starts")
                try await client.query("INSERT INTO items (sku, name) VALUES ('old-build', 'written as schema 2 does')")
                let name = try await client.scalar("SELECT name FROM items WHERE sku = 'old-build'", as: String.self)
                XCTAssertEqual(name, "written as schema 2 does")

                let contractApplied = try await contracted.run(on: client, logger: Self.logger).map(\.version)
                XCTAssertEqual(contractApplied, [5])
                for build in [old, expanded] {
                    do {
                        try await build.run(on: client, logger: Self.logger)
                        XCTFail("build \(build.latestVersion) started on a schema it cannot use")
                    } catch let error as MigrationError {
                        XCTAssertEqual(error, .schemaTooNew(databaseVersion: 5, requiredVersion: 5, buildVersion: build.latestVersion))
                    }
                }
            }
        }
    }

    /// Builds before this one kept no compatibility; their history gains the column, and
    /// their rows count as contract migrations.
    func testAHistoryFromAnEarlierBuildGainsTheCompatibilityColumn() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                try await Self.runner(Array(Self.inventory().prefix(1))).run(on: client, logger: Self.logger)
                try await client.query("ALTER TABLE schema_migrations DROP COLUMN oldest_compatible")

                let applied = try await Self.runner(Self.inventory()).run(on: client, logger: Self.logger)
                XCTAssertEqual(applied.map(\.version), [2])
                let recorded = try await client.query("SELECT version, oldest_compatible FROM schema_migrations ORDER BY version")
                    .collect().map { try $0.decode((Int, Int?).self) }
                XCTAssertEqual(recorded.map(\.0), [1, 2])
                XCTAssertEqual(recorded.map(\.1), [nil, 1])
            }
        }
    }

    // MARK: Outside a transaction

    func testConcurrentIndexBuildsRunOutsideATransaction() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                try await Self.runner(Self.inventory() + Self.colours().prefix(1)).run(on: client, logger: Self.logger)

                // The same statement in a transaction is refused by PostgreSQL itself.
                let inTransaction = Migration(
                    version: 4, name: "item_colours_index",
                    statements: ["CREATE INDEX CONCURRENTLY items_colour_idx ON items (colour)"], compatibility: .expand)
                do {
                    try await Self.runner(Self.inventory() + Self.colours().prefix(1) + [inTransaction])
                        .run(on: client, logger: Self.logger)
                    XCTFail("PostgreSQL built an index concurrently inside a transaction")
                } catch let MigrationError.failed(version, _, detail) {
                    XCTAssertEqual(version, 4)
                    XCTAssertTrue(detail.contains("transaction block"), detail)
                }

                let applied = try await Self.runner(Self.inventory() + Self.colours()).run(on: client, logger: Self.logger)
                XCTAssertEqual(applied.map(\.version), [4])
                let valid = try await client.scalar(
                    "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_colour_idx'::regclass", as: Bool.self)
                XCTAssertEqual(valid, true)
            }
        }
    }

    /// A failure part way leaves the earlier statements applied and the version unrecorded;
    /// statements written to run again let the next start finish the migration.
    func testAFailedNonTransactionalMigrationIsNotRecordedAndRunsAgain() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            try await cluster.withClient(database: try await cluster.createDatabase()) { client in
                let broken = Migration(
                    version: 3, name: "labels",
                    statements: ["CREATE TABLE IF NOT EXISTS labels (sku text)", "CREATE INDEX CONCURRENTLY labels_idx ON labelz (sku)"],
                    compatibility: .expand, inTransaction: false)
                do {
                    try await Self.runner(Self.inventory() + [broken]).run(on: client, logger: Self.logger)
                    XCTFail("a statement on a missing table succeeded")
                } catch let MigrationError.failed(version, _, detail) {
                    XCTAssertEqual(version, 3)
                    XCTAssertTrue(detail.contains("statements before the failing one stay applied"), detail)
                }
                let table = try await client.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'labels'", as: Int.self)
                XCTAssertEqual(table, 1)
                let recordedVersion = try await client.scalar("SELECT max(version) FROM schema_migrations", as: Int.self)
                XCTAssertEqual(recordedVersion, 2)

                let fixed = Migration(
                    version: 3, name: "labels",
                    statements: ["CREATE TABLE IF NOT EXISTS labels (sku text)", "CREATE INDEX CONCURRENTLY labels_idx ON labels (sku)"],
                    compatibility: .expand, inTransaction: false)
                let applied = try await Self.runner(Self.inventory() + [fixed]).run(on: client, logger: Self.logger)
                XCTAssertEqual(applied.map(\.version), [3])
            }
        }
    }

    // MARK: Locks

    /// `ALTER TABLE` needs the table to itself; behind a long transaction it waits, and every
    /// query arriving after it waits behind it. Live queries run throughout a migration that
    /// meets such a transaction: with short lock attempts none waits 100 ms; with one long
    /// attempt (what the runner did before) they wait for the whole transaction, which shows
    /// that the measurement sees the stall it guards against.
    func testLiveQueriesNeverWaitBehindAMigrationForMoreThan100Milliseconds() async throws {
        try await withTimeLimit(.seconds(60)) {
            let shortAttempts = try await Self.longestLiveQuery(duringMigrationWith: MigrationSettings(), blockedFor: .milliseconds(1500))
            XCTAssertGreaterThan(shortAttempts.migrationAttempts, 1, "the migration met the long transaction")
            XCTAssertLessThan(shortAttempts.longestQuery, .milliseconds(100))

            let oneLongAttempt = try await Self.longestLiveQuery(
                duringMigrationWith: MigrationSettings(lockWait: .seconds(30), lockAttempt: .seconds(30)), blockedFor: .milliseconds(1500))
            XCTAssertGreaterThan(oneLongAttempt.longestQuery, .milliseconds(500))
            print(
                "longest live query: \(shortAttempts.longestQuery) in short lock attempts, \(oneLongAttempt.longestQuery) in one long one")
        }
    }

    /// A transaction that never ends: the migration gives up after its lock wait, records
    /// nothing, and says why.
    func testAMigrationThatNeverGetsItsLocksGivesUpInTime() async throws {
        try await withTimeLimit {
            let cluster = try await PostgresTestCluster.shared()
            let database = try await cluster.createDatabase()
            try await cluster.withClient(database: database) { client in
                try await Self.runner(Self.inventory()).run(on: client, logger: Self.logger)
                var runner = try Self.runner(Self.inventory() + Self.colours().prefix(1))
                runner.settings = MigrationSettings(lockWait: .milliseconds(600), lockAttempt: .milliseconds(50))
                try await client.withConnection { holder in
                    _ = try await holder.query("BEGIN", logger: Self.logger).collect()
                    _ = try await holder.query("SELECT count(*) FROM items", logger: Self.logger).collect()
                    let started = ContinuousClock.now
                    do {
                        try await cluster.withClient(database: database) { try await runner.run(on: $0, logger: Self.logger) }
                        XCTFail("altered a table another transaction was reading")
                    } catch let MigrationError.tablesBusy(version, _, attempts, _) {
                        XCTAssertEqual(version, 3)
                        XCTAssertGreaterThan(attempts, 2)
                    }
                    XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
                    _ = try await holder.query("COMMIT", logger: Self.logger).collect()
                }
                let recordedVersion = try await client.scalar("SELECT max(version) FROM schema_migrations", as: Int.self)
                XCTAssertEqual(recordedVersion, 2)
            }
        }
    }

    private struct LiveTraffic {
        var longestQuery: Duration
        var migrationAttempts: Int
    }

    /// Migrates a new inventory database to add a column while a transaction reads the table
    /// for `blockedFor`, and two clients query it without pause; returns the slowest query.
    private static func longestLiveQuery(duringMigrationWith settings: MigrationSettings, blockedFor: Duration) async throws -> LiveTraffic
    {
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.createDatabase()
        var runner = try Self.runner(Self.inventory() + Self.colours().prefix(1))
        runner.settings = settings
        return try await cluster.withClient(database: database) { client in
            try await Self.runner(Self.inventory()).run(on: client, logger: logger)
            try await client.query("INSERT INTO items (sku, name) SELECT 'sku-' || n, 'item ' || n FROM generate_series(1, 100) n")

            let migrationDone = NIOLockedValueBox(false)
            let notices = LockRetryNotices()
            return try await withThrowingTaskGroup(of: Duration?.self) { group in
                // The long transaction: a report reading the table.
                group.addTask {
                    try await client.withConnection { holder in
                        _ = try await holder.query("BEGIN", logger: logger).collect()
                        _ = try await holder.query("SELECT count(*) FROM items", logger: logger).collect()
                        try await Task.sleep(for: blockedFor)
                        _ = try await holder.query("COMMIT", logger: logger).collect()
                    }
                    return nil
                }
                // Live traffic, measured from before the migration starts until after it ends.
                for worker in 0..<2 {
                    group.addTask {
                        var longest = Duration.zero
                        var id = worker
                        while !migrationDone.withLockedValue({ $0 }) {
                            let started = ContinuousClock.now
                            _ = try await client.query("SELECT name FROM items WHERE id = \(id % 100 + 1)").collect()
                            longest = max(longest, ContinuousClock.now - started)
                            id += 2
                        }
                        return longest
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
                try await cluster.withClient(database: database) { try await runner.run(on: $0, logger: notices.logger) }
                try await Task.sleep(for: .milliseconds(100))
                migrationDone.withLockedValue { $0 = true }
                var longest = Duration.zero
                for try await result in group { longest = max(longest, result ?? .zero) }
                return LiveTraffic(longestQuery: longest, migrationAttempts: notices.count + 1)
            }
        }
    }
}

/// Counts the runner's "trying again" notices: one per lock attempt that timed out.
private final class LockRetryNotices: Sendable {
    private let notices = NIOLockedValueBox(0)

    var count: Int { notices.withLockedValue { $0 } }

    var logger: Logger {
        Logger(label: "migration-lock-retries") { _ in Handler(notices: self.notices) }
    }

    private struct Handler: LogHandler {
        let notices: NIOLockedValueBox<Int>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            if event.message.description.contains("trying again") { notices.withLockedValue { $0 += 1 } }
        }
    }
}
