import MicropostsModels
import PostgresNIO
import PostgresTestSupport
import XCTest

@testable import DataService

/// Micropost rows are read cell by cell; these pin that reader to what PostgreSQL sends.
final class MicropostRowTests: XCTestCase {
    private static func columns(_ rows: [PostgresRow]) throws -> MicropostColumnArrays {
        var cells = try XCTUnwrap(rows.first).makeIterator()
        return try MicropostColumnArrays(cells: &cells)
    }

    private static let columns = """
        SELECT 7::int8, 'ann'::text, 'héllo 😀'::text, NULL::text,
               '2026-01-02 03:04:05.123456+00'::timestamptz, '2026-01-02 03:04:06+00'::timestamptz
        """

    func testAMicropostIsReadFromItsSixColumns() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let rows = try await client.query(PostgresQuery(unsafeSQL: Self.columns)).collect()
                let post = try Micropost(row: XCTUnwrap(rows.first))
                XCTAssertEqual(post.id, 7)
                XCTAssertEqual(post.author, "ann")
                XCTAssertEqual(post.text, "héllo 😀")
                XCTAssertNil(post.referenced)
                XCTAssertEqual(post.createdAt.timeIntervalSince1970, 1_767_323_045.123456, accuracy: 0.000_001)
                XCTAssertEqual(post.updatedAt.timeIntervalSince1970, 1_767_323_046)
            }
        }
    }

    func testOuterJoinRowsGiveOwnerAndPostsAndSkipTheEmptyRow() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let withPost = try await client.query(PostgresQuery(unsafeSQL: "SELECT true, 1::int8, 'ann'::text, 'a'::text, 'bob'::text, now(), now()")).collect()
                let owned = try OwnedMicropostRows(withPost)
                XCTAssertTrue(owned.ownerExists)
                XCTAssertEqual(owned.posts.map(\.referenced), ["bob"])

                let noPosts = try await client.query(PostgresQuery(unsafeSQL: "SELECT true, NULL::int8, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz")).collect()
                XCTAssertTrue(try OwnedMicropostRows(noPosts).ownerExists)
                XCTAssertEqual(try OwnedMicropostRows(noPosts).posts, [])

                let noOwner = try await client.query(PostgresQuery(unsafeSQL: "SELECT false, NULL::int8, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz")).collect()
                XCTAssertFalse(try OwnedMicropostRows(noOwner).ownerExists)
            }
        }
    }

    func testARowWithTooFewOrWrongColumnsIsAnErrorNotACrash() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let short = try await client.query(PostgresQuery(unsafeSQL: "SELECT 7::int8, 'ann'::text")).collect()
                XCTAssertThrowsError(try Micropost(row: XCTUnwrap(short.first))) { XCTAssertTrue($0 is RowShapeError, "\($0)") }

                let wrongType = try await client.query(PostgresQuery(unsafeSQL: "SELECT 'x'::text, 'ann'::text, 'a'::text, NULL::text, now(), now()")).collect()
                XCTAssertThrowsError(try Micropost(row: XCTUnwrap(wrongType.first)))

                let nullText = try await client.query(PostgresQuery(unsafeSQL: "SELECT true, 1::int8, 'ann'::text, NULL::text, NULL::text, now(), now()")).collect()
                XCTAssertEqual(try OwnedMicropostRows(nullText).posts, [], "a row without text is not a micropost")
            }
        }
    }

    func testColumnArraysBecomeMicropostsOfTheirOwner() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let rows = try await client.query(PostgresQuery(unsafeSQL: """
                    SELECT 'ann'::text, ARRAY[9, 8]::int8[], ARRAY['b', 'a']::text[], ARRAY['', 'bob']::text[],
                           ARRAY[now(), now()]::timestamptz[], ARRAY[now(), now()]::timestamptz[]
                    """)).collect()
                let page = try Self.columns(rows)
                XCTAssertEqual(page.owner, "ann")
                XCTAssertEqual(page.posts.map(\.id), [9, 8])
                XCTAssertEqual(page.posts.map(\.author), ["ann", "ann"])
                XCTAssertEqual(page.posts.map(\.text), ["b", "a"])
                XCTAssertEqual(page.posts.map(\.referenced), [nil, "bob"])

                let noPosts = try await client.query(PostgresQuery(unsafeSQL: "SELECT 'ann'::text, NULL::int8[], NULL::text[], NULL::text[], NULL::timestamptz[], NULL::timestamptz[]")).collect()
                XCTAssertEqual(try Self.columns(noPosts).owner, "ann")
                XCTAssertEqual(try Self.columns(noPosts).posts, [])

                let noOwner = try await client.query(PostgresQuery(unsafeSQL: "SELECT NULL::text, NULL::int8[], NULL::text[], NULL::text[], NULL::timestamptz[], NULL::timestamptz[]")).collect()
                XCTAssertNil(try Self.columns(noOwner).owner)
            }
        }
    }

    func testColumnArraysOfDifferentLengthsOrWithoutOwnerAreErrors() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let ragged = try await client.query(PostgresQuery(unsafeSQL: """
                    SELECT 'ann'::text, ARRAY[9, 8]::int8[], ARRAY['b']::text[], ARRAY['', '']::text[],
                           ARRAY[now(), now()]::timestamptz[], ARRAY[now(), now()]::timestamptz[]
                    """)).collect()
                XCTAssertThrowsError(try Self.columns(ragged)) { XCTAssertTrue($0 is RowShapeError, "\($0)") }

                let orphans = try await client.query(PostgresQuery(unsafeSQL: """
                    SELECT NULL::text, ARRAY[1]::int8[], ARRAY['b']::text[], ARRAY['']::text[], ARRAY[now()]::timestamptz[], ARRAY[now()]::timestamptz[]
                    """)).collect()
                XCTAssertThrowsError(try Self.columns(orphans)) { XCTAssertTrue($0 is RowShapeError, "\($0)") }

            }
        }
    }
}
