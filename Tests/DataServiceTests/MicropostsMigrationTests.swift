import Logging
import MicropostsModels
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

    /// A rolling deploy or a rollback runs this build on the schema of the next: a release
    /// that adds a micropost column and its index (built concurrently, outside a transaction).
    /// This build starts on it and every one of its statements that the test reaches still
    /// works. Once a contract migration lands, this build refuses to start.
    func testThisBuildServesOnTheSchemaOfTheNextExpandRelease() async throws {
        try await withTimeLimit(.seconds(60)) {
            let logger = Logger(label: "migration-test")
            let bundled = try MigrationRunner.bundled()
            let next = bundled.latestVersion + 1
            let expand = [
                try Migration(
                    fileName: "\(Self.fourDigits(next))_micropost_edits.sql",
                    sql: "--! expand\nALTER TABLE microposts ADD COLUMN edited_at timestamptz;\n"),
                try Migration(
                    fileName: "\(Self.fourDigits(next + 1))_micropost_edits_index.sql",
                    sql: """
                        --! expand
                        --! no-transaction
                        DROP INDEX CONCURRENTLY IF EXISTS microposts_edited_at_idx;
                        CREATE INDEX CONCURRENTLY microposts_edited_at_idx ON microposts (edited_at);
                        """),
            ]
            let cluster = try await PostgresTestCluster.shared()
            let database = try await cluster.createDatabase()
            try await cluster.withClient(database: database) { client in
                let applied = try await MigrationRunner(migrations: bundled.migrations + expand, lock: bundled.lock)
                    .run(on: client, logger: logger)
                XCTAssertEqual(applied.last?.version, next + 1)
            }

            let service = try await DataServiceHarness.start(database: database)
            do {
                try await service.register("ana", "ben")
                _ = try await service.call(.follow, FollowRequest(username: "ana", other: "ben"))
                let post = try await service.post("ben", "written by the older build")
                let own = try await service.call(.listMicroposts, UserListRequest(username: "ben"))
                XCTAssertEqual(own.items.map(\.id), [post.id])
                let timeline = try await service.call(.timeline, UserListRequest(username: "ana"))
                XCTAssertEqual(timeline.items.map(\.text), ["written by the older build"])
                let found = try await service.call(.searchMicroposts, SearchMicropostsRequest(text: "older"))
                XCTAssertEqual(found.items.map(\.id), [post.id])
                _ = try await service.call(.deleteMicropost, DeleteMicropostRequest(username: "ben", id: post.id, actingUsername: "ben"))
            } catch {
                await service.stop()
                throw error
            }
            await service.stop()

            let contract = Migration(
                version: next + 2, name: "drop_micropost_edits", statements: ["ALTER TABLE microposts DROP COLUMN edited_at"],
                compatibility: .contract)
            try await cluster.withClient(database: database) { client in
                try await MigrationRunner(migrations: bundled.migrations + expand + [contract], lock: bundled.lock)
                    .run(on: client, logger: logger)
                do {
                    try await bundled.run(on: client, logger: logger)
                    XCTFail("this build started on a schema a contract migration made incompatible")
                } catch let error as MigrationError {
                    XCTAssertEqual(
                        error, .schemaTooNew(databaseVersion: next + 2, requiredVersion: next + 2, buildVersion: bundled.latestVersion))
                }
            }
        }
    }

    private static func fourDigits(_ version: Int) -> String {
        String(repeating: "0", count: max(0, 4 - String(version).count)) + String(version)
    }
}
