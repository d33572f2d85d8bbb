import PostgresData
import PostgresNIO
import PostgresTestSupport
import XCTest

@testable import DataService

/// The constraints the database enforces whatever the service above it does.
final class SchemaTests: XCTestCase {
    private static let checkViolation = "23514"
    private static let uniqueViolation = "23505"
    private static let foreignKeyViolation = "23503"

    func testMicropostTextIsLimitedTo255CharactersNotBytes() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let author = try await Self.insertUser("writer", client)
                // Each is one code point of 2, 3 or 4 UTF-8 bytes.
                for character in ["é", "日", "😀"] {
                    try await Self.insertPost(String(repeating: character, count: 255), by: author, client)
                    await assertSQLState(Self.checkViolation) {
                        try await Self.insertPost(String(repeating: character, count: 256), by: author, client)
                    }
                }
                await assertSQLState(Self.checkViolation) { try await Self.insertPost("", by: author, client) }
            }
        }
    }

    /// The service merges the pending lists of the schema's GIN indexes off the request path
    /// (``GINPendingListCleanup``): a migration that adds one must add it to the list too.
    func testEveryGINIndexOfTheSchemaIsCleanedByTheService() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let rows = try await client.query(
                    """
                    SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                    WHERE a.amname = 'gin' ORDER BY 1
                    """
                ).collect()
                let indexes = try rows.map { try $0.decode(String.self) }
                XCTAssertFalse(indexes.isEmpty)
                XCTAssertEqual(indexes, DataServiceComponents.ginIndexes.sorted())
            }
        }
    }

    func testReferencedUserMustExist() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let author = try await Self.insertUser("author", client)
                let other = try await Self.insertUser("other", client)
                try await client.query("INSERT INTO microposts (author_id, text, referenced_id) VALUES (\(author), 'hi', \(other))")
                await assertSQLState(Self.foreignKeyViolation) {
                    try await client.query(
                        "INSERT INTO microposts (author_id, text, referenced_id) VALUES (\(author), 'hi', \(other + 1000))")
                }
            }
        }
    }

    func testFollowsArePairsOnceAndNeverSelf() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let alice = try await Self.insertUser("alice", client)
                let bob = try await Self.insertUser("bob", client)
                try await Self.follow(alice, bob, client)
                try await Self.follow(bob, alice, client)
                await assertSQLState(Self.uniqueViolation) { try await Self.follow(alice, bob, client) }
                await assertSQLState(Self.checkViolation) { try await Self.follow(alice, alice, client) }
            }
        }
    }

    func testUsernamesAreUniqueAndValid() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                _ = try await Self.insertUser("carol", client)
                _ = try await Self.insertUser("Car.ol-_9", client)
                _ = try await Self.insertUser(String(repeating: "x", count: 50), client)
                await assertSQLState(Self.uniqueViolation) { _ = try await Self.insertUser("carol", client) }
                await assertSQLState(Self.uniqueViolation) { _ = try await Self.insertUser("CAROL", client) }
                await assertSQLState(Self.uniqueViolation) { _ = try await Self.insertUser("car.OL-_9", client) }
                for invalid in ["", String(repeating: "x", count: 51), "car ol", "carol!", "çarol"] {
                    await assertSQLState(Self.checkViolation) { _ = try await Self.insertUser(invalid, client) }
                }
            }
        }
    }

    func testSubstringSearchesCanUseTrigramIndexes() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let extensions = try await client.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'", as: Int.self)
                XCTAssertEqual(extensions, 1)

                // With sequential scans priced out, an index that can serve ILIKE '%…%' shows up in the plan.
                try await client.withConnection { connection in
                    let logger = Logger(label: "schema-test")
                    try await connection.query("SET enable_seqscan = off", logger: logger)
                    let cases: [(PostgresQuery, String)] = [
                        ("EXPLAIN SELECT id FROM microposts WHERE text ILIKE \("%Hello%")", "microposts_text_trgm_idx"),
                        ("EXPLAIN SELECT id FROM users WHERE username ILIKE \("%ali%")", "users_username_trgm_idx"),
                    ]
                    for (query, index) in cases {
                        let plan = try await connection.query(query, logger: logger).collect()
                            .map { try $0.decode(String.self) }.joined(separator: "\n")
                        XCTAssertTrue(plan.contains(index), plan)
                    }
                    try await connection.query("RESET enable_seqscan", logger: logger)
                }
            }
        }
    }

    func testRevokedTokensHaveAnExpiryIndexForCleanup() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let indexes = try await client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'revoked_tokens'")
                    .collect().map { try $0.decode(String.self) }
                XCTAssertTrue(indexes.contains("revoked_tokens_expires_at_idx"), "\(indexes)")
            }
        }
    }

    // MARK: Helpers

    private static func insertUser(_ username: String, _ client: PostgresClient) async throws -> Int {
        let rows = try await client.query(
            "INSERT INTO users (username, password_hash) VALUES (\(username), 'not-a-real-hash') RETURNING id"
        ).collect()
        return try XCTUnwrap(rows.first).decode(Int.self)
    }

    private static func insertPost(_ text: String, by author: Int, _ client: PostgresClient) async throws {
        try await client.query("INSERT INTO microposts (author_id, text) VALUES (\(author), \(text))")
    }

    private static func follow(_ follower: Int, _ followed: Int, _ client: PostgresClient) async throws {
        try await client.query("INSERT INTO follows (follower_id, followed_id) VALUES (\(follower), \(followed))")
    }
}
