import PostgresData
import PostgresNIO
import PostgresTestSupport
import XCTest

@testable import DataService

/// Microposts' own schema files, run by the kit's runner.
final class MicropostsMigrationTests: XCTestCase {
    func testBundledMigrationsAreNumberedFromOne() throws {
        let runner = try MigrationRunner.bundled()
        XCTAssertEqual(runner.migrations.first?.version, 1)
        XCTAssertEqual(runner.migrations.map(\.version), Array(1...runner.latestVersion))
    }

    /// Builds before the kit held this lock; a new build must contend for the same one.
    func testTheLockIsTheOneEarlierBuildsHeld() throws {
        XCTAssertEqual(try MigrationRunner.bundled().lock.key, 0x6D69_6372_6F70_6F73)
        XCTAssertEqual(try MigrationRunner.bundled().historyTable, "schema_migrations")
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
                let earlier = try MigrationRunner(migrations: bundled.migrations.filter { $0.version < version }, lock: bundled.lock)
                try await earlier.run(on: client, logger: logger)
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

}
