import Foundation
import MicropostsModels
import PostgresData
import PostgresNIO
import PostgresTestSupport
import XCTest

@testable import DataService

/// Micropost rows are read cell by cell; these pin that reader to what PostgreSQL sends.
final class MicropostRowTests: XCTestCase {
    private static func columns(_ rows: [PostgresRow], pageSize: Int = 10) throws -> MicropostColumnArrays {
        var cells = try XCTUnwrap(rows.first).makeIterator()
        return try MicropostColumnArrays(cells: &cells, window: PageWindow(PageRequest(page: 1, size: pageSize)))
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
                let withPost = try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT true, 1::int8, 'ann'::text, 'a'::text, 'bob'::text, now(), now()")
                ).collect()
                let owned = try OwnedMicropostRows(withPost)
                XCTAssertTrue(owned.ownerExists)
                XCTAssertEqual(owned.posts.map(\.referenced), ["bob"])

                let noPosts = try await client.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT true, NULL::int8, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz")
                ).collect()
                XCTAssertTrue(try OwnedMicropostRows(noPosts).ownerExists)
                XCTAssertEqual(try OwnedMicropostRows(noPosts).posts, [])

                let noOwner = try await client.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT false, NULL::int8, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz")
                ).collect()
                XCTAssertFalse(try OwnedMicropostRows(noOwner).ownerExists)
            }
        }
    }

    func testARowWithTooFewOrWrongColumnsIsAnErrorNotACrash() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let short = try await client.query(PostgresQuery(unsafeSQL: "SELECT 7::int8, 'ann'::text")).collect()
                XCTAssertThrowsError(try Micropost(row: XCTUnwrap(short.first))) { XCTAssertTrue($0 is RowShapeError, "\($0)") }

                let wrongType = try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT 'x'::text, 'ann'::text, 'a'::text, NULL::text, now(), now()")
                ).collect()
                XCTAssertThrowsError(try Micropost(row: XCTUnwrap(wrongType.first)))

                let nullText = try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT true, 1::int8, 'ann'::text, NULL::text, NULL::text, now(), now()")
                ).collect()
                XCTAssertEqual(try OwnedMicropostRows(nullText).posts, [], "a row without text is not a micropost")
            }
        }
    }

    func testColumnArraysBecomeMicropostsOfTheirOwner() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let rows = try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT 'ann'::text, ARRAY[9, 8]::int8[], ARRAY['b', 'a']::text[], ARRAY[NULL, 'bob']::text[],
                                   ARRAY['2026-01-02 03:04:05.123456+00', now()]::timestamptz[], ARRAY[now(), now()]::timestamptz[],
                                   '2026-01-02 03:04:05.123456+00'::timestamptz
                            """)
                ).collect()
                let columns = try Self.columns(rows)
                let page = columns.page
                XCTAssertEqual(columns.owner, "ann")
                XCTAssertFalse(page.hasNext)
                XCTAssertEqual(page.items.map(\.id), [9, 8])
                XCTAssertEqual(page.items.map(\.author), ["ann", "ann"])
                XCTAssertEqual(page.items.map(\.text), ["b", "a"])
                XCTAssertEqual(page.items.map(\.referenced), [nil, "bob"])
                // The same instant as PostgresNIO decodes it outside an array, to the bit: a post
                // read in a page and read alone must compare (and render) equal.
                var cells = try XCTUnwrap(rows.first).makeIterator()
                for _ in 0..<6 { _ = cells.next() }
                XCTAssertEqual(page.items.first?.createdAt, try cells.decodeNext(Date.self))

                // The row beyond a page (the window reads one more) is not a post of it.
                let pageOfOne = try Self.columns(rows, pageSize: 1).page
                XCTAssertEqual(pageOfOne.items.map(\.id), [9])
                XCTAssertTrue(pageOfOne.hasNext)

                let noPosts = try await client.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT 'ann'::text, NULL::int8[], NULL::text[], NULL::text[], NULL::timestamptz[], NULL::timestamptz[]")
                ).collect()
                XCTAssertEqual(try Self.columns(noPosts).owner, "ann")
                XCTAssertEqual(try Self.columns(noPosts).page, Page(items: [], hasNext: false))

                let noOwner = try await client.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT NULL::text, NULL::int8[], NULL::text[], NULL::text[], NULL::timestamptz[], NULL::timestamptz[]")
                ).collect()
                XCTAssertNil(try Self.columns(noOwner).owner)
            }
        }
    }

    func testColumnArraysOutOfOrderAreReadNewestFirst() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let rows = try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT 'ann'::text, ARRAY[8, 10, 9]::int8[], ARRAY['eight', 'ten', 'nine']::text[], ARRAY[NULL, 'bob', NULL]::text[],
                                   ARRAY[now(), now(), now()]::timestamptz[], ARRAY[now(), now(), now()]::timestamptz[]
                            """)
                ).collect()
                let page = try Self.columns(rows, pageSize: 2).page
                XCTAssertEqual(page.items.map(\.id), [10, 9])
                XCTAssertEqual(page.items.map(\.text), ["ten", "nine"])
                XCTAssertEqual(page.items.map(\.referenced), ["bob", nil])
                XCTAssertTrue(page.hasNext)
            }
        }
    }

    func testColumnArraysOfDifferentLengthsOrWithoutOwnerAreErrors() async throws {
        try await withTimeLimit {
            try await PostgresTestCluster.withMigratedDatabase { client in
                let ragged = try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT 'ann'::text, ARRAY[9, 8]::int8[], ARRAY['b']::text[], ARRAY[NULL, NULL]::text[],
                                   ARRAY[now(), now()]::timestamptz[], ARRAY[now(), now()]::timestamptz[]
                            """)
                ).collect()
                XCTAssertThrowsError(try Self.columns(ragged)) { XCTAssertTrue($0 is RowShapeError, "\($0)") }

                let orphans = try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT NULL::text, ARRAY[1]::int8[], ARRAY['b']::text[], ARRAY[NULL]::text[], ARRAY[now()]::timestamptz[], ARRAY[now()]::timestamptz[]
                            """)
                ).collect()
                XCTAssertThrowsError(try Self.columns(orphans)) { XCTAssertTrue($0 is RowShapeError, "\($0)") }

                let nullText = try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT 'ann'::text, ARRAY[1]::int8[], ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY[now()]::timestamptz[], ARRAY[now()]::timestamptz[]
                            """)
                ).collect()
                XCTAssertThrowsError(try Self.columns(nullText)) { XCTAssertTrue($0 is RowShapeError, "\($0)") }

                let wrongElements = try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT 'ann'::text, ARRAY[1]::int4[], ARRAY['b']::text[], ARRAY[NULL]::text[], ARRAY[now()]::timestamptz[], ARRAY[now()]::timestamptz[]
                            """)
                ).collect()
                XCTAssertThrowsError(try Self.columns(wrongElements)) { XCTAssertTrue($0 is RowShapeError, "\($0)") }
            }
        }
    }
}
