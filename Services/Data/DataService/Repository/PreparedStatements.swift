import Foundation
import MicropostsModels
import PostgresData
import PostgresNIO

// The statements of the hot paths, prepared once per connection (PostgresNIO prepares a
// statement on a connection the first time it runs there), so PostgreSQL parses and plans
// them once instead of on every call.

/// Microposts by id: the batched point read behind `getMicropost`.
struct MicropostsByID: PostgresPreparedStatement {
    static let name = "microposts_by_id"
    static let bindingDataTypes: [PostgresDataType] = [.int8Array]
    // The users by their primary key per post rather than joined: a prepared statement runs a
    // generic plan, which hash-joined every user twice for a batch of a few posts (0.25–0.30 vs
    // 0.10 ms for 16 ids).
    static let sql = """
        SELECT m.id, (SELECT a.username FROM users a WHERE a.id = m.author_id), m.text,
            CASE WHEN m.referenced_id IS NOT NULL THEN (SELECT r.username FROM users r WHERE r.id = m.referenced_id) END,
            m.created_at, m.updated_at
        FROM microposts m
        WHERE m.id = ANY($1)
        """
    typealias Row = Micropost

    let ids: [Int64]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Micropost { try Micropost(row: row) }
}

/// Which of these usernames exist: the batched point read behind `getUser`.
struct ExistingUsernames: PostgresPreparedStatement {
    static let name = "existing_usernames"
    static let bindingDataTypes: [PostgresDataType] = [.textArray]
    static let sql = "SELECT username FROM users WHERE username = ANY($1)"
    typealias Row = String

    let usernames: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(usernames)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
}

/// Pages of users' collections, newest first: the batched read behind `listMicroposts`. One
/// row per requested page, in request order: its position, then the columns of
/// ``MicropostColumnArrays``.
struct CollectionPages: PostgresPreparedStatement {
    static let name = "collection_pages"
    static let bindingDataTypes: [PostgresDataType] = [.textArray, .int8Array, .int8Array]
    // Column arrays rather than a row per post: PostgresNIO's cost is mostly per row
    // (Benchmarks/data-bench.sh: 4 857 vs 3 747 pages of 100 a second), and the arrays are read
    // by ``PostgresArrayCursor``. A user without posts gives NULL arrays; an unknown user also a
    // NULL name; a post without a referenced user a NULL element.
    // The aggregates have no ORDER BY of their own: PostgreSQL 15 would sort the page once per
    // array, which doubled the statement's time. They take the rows in one pass, so the arrays
    // agree with each other, in the subquery's order, which the reader checks (and restores
    // should a plan ever differ).
    // The owner is looked up per request by its unique index (the LIMIT keeps the planner from
    // turning that into a hash join over every user), and a referenced user only when there is
    // one: 17 % less time per batch than plain joins (1.10 vs 1.33 ms for 12 pages).
    static let sql = """
        SELECT request.position, owner.username,
            page.ids, page.texts, page.referenced, page.created, page.updated
        FROM unnest($1::text[], $2::int8[], $3::int8[]) WITH ORDINALITY AS request(username, row_limit, row_offset, position)
        LEFT JOIN LATERAL (SELECT u.id, u.username FROM users u WHERE u.username = request.username LIMIT 1) owner ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(p.id) AS ids, array_agg(p.text) AS texts, array_agg(p.referenced) AS referenced,
                array_agg(p.created_at) AS created, array_agg(p.updated_at) AS updated
            FROM (
                SELECT m.id, m.text,
                    CASE WHEN m.referenced_id IS NOT NULL THEN (SELECT r.username FROM users r WHERE r.id = m.referenced_id) END AS referenced,
                    m.created_at, m.updated_at
                FROM microposts m
                WHERE m.author_id = owner.id
                ORDER BY m.id DESC LIMIT request.row_limit OFFSET request.row_offset
            ) AS p
        ) AS page ON true
        ORDER BY request.position
        """
    typealias Row = (position: Int64, columns: MicropostColumnArrays)

    let pages: [CollectionPageKey]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(pages.map(\.username))
        bindings.append(pages.map { Int64($0.window.limit) })
        bindings.append(pages.map { Int64($0.window.offset) })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        var cells = row.makeIterator()
        let position = try cells.decodeNext(Int64.self)
        guard position >= 1, position <= pages.count else {
            throw RowShapeError(description: "a page came back for position \(position) of \(pages.count)")
        }
        return (position, try MicropostColumnArrays(cells: &cells, window: pages[Int(position) - 1].window))
    }
}

/// Inserts a micropost by its author's and referenced user's names, reporting which of them
/// exist; nothing is inserted unless both do (a nil `referenced` always "exists").
struct InsertMicropost: PostgresPreparedStatement {
    static let name = "insert_micropost"
    // Declared, not inferred from the first call's bindings, where `referenced` may be NULL.
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text]
    static let sql = """
        WITH author AS (SELECT id FROM users WHERE username = $1),
        referenced AS (SELECT id FROM users WHERE username = $3),
        inserted AS (
            INSERT INTO microposts (author_id, text, referenced_id)
            SELECT author.id, $2, (SELECT id FROM referenced) FROM author
            WHERE $3::text IS NULL OR EXISTS (SELECT 1 FROM referenced)
            RETURNING id, created_at, updated_at
        )
        SELECT EXISTS (SELECT 1 FROM author), EXISTS (SELECT 1 FROM referenced),
               inserted.id, inserted.created_at, inserted.updated_at
        FROM (VALUES (1)) AS one LEFT JOIN inserted ON true
        """
    typealias Row = (Bool, Bool, Int64?, Date?, Date?)

    let author: String
    let text: String
    let referenced: String?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(author)
        bindings.append(text)
        bindings.append(referenced)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Several microposts in one statement (one transaction): each input row reports whether its
/// author and referenced user exist, and its new id and times when it was inserted. Ids are
/// drawn before the insert so each inserted row can be matched to its input.
struct InsertMicroposts: PostgresPreparedStatement {
    static let name = "insert_microposts"
    static let bindingDataTypes: [PostgresDataType] = [.textArray, .textArray, .textArray]
    static let sql = """
        WITH input AS (
            SELECT t.ordinal - 1 AS ordinal, t.author, t.text, NULLIF(t.referenced, '') AS referenced
            FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(author, text, referenced, ordinal)
        ),
        checked AS MATERIALIZED (
            SELECT i.ordinal, i.text, a.id AS author_id, r.id AS referenced_id,
                   a.id IS NOT NULL AS author_exists, (i.referenced IS NULL OR r.id IS NOT NULL) AS referenced_exists,
                   CASE WHEN a.id IS NOT NULL AND (i.referenced IS NULL OR r.id IS NOT NULL)
                        THEN nextval('microposts_id_seq') END AS id
            FROM input i LEFT JOIN users a ON a.username = i.author LEFT JOIN users r ON r.username = i.referenced
        ),
        inserted AS (
            INSERT INTO microposts (id, author_id, text, referenced_id)
            SELECT id, author_id, text, referenced_id FROM checked WHERE id IS NOT NULL
            RETURNING id, created_at, updated_at
        )
        SELECT c.ordinal, c.author_exists, c.referenced_exists, i.id, i.created_at, i.updated_at
        FROM checked c LEFT JOIN inserted i ON i.id = c.id
        """

    struct Row: Sendable {
        var ordinal: Int
        var authorExists: Bool
        var referencedExists: Bool
        var id: Int64?
        var createdAt: Date?
        var updatedAt: Date?
    }

    let authors: [String]
    let texts: [String]
    /// Empty for none: usernames are never empty.
    let referenced: [String]

    init(_ requests: [CreateMicropostRequest]) {
        authors = requests.map(\.username)
        texts = requests.map(\.text)
        referenced = requests.map { $0.referenced ?? "" }
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(authors)
        bindings.append(texts)
        bindings.append(referenced)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (ordinal, authorExists, referencedExists, id, createdAt, updatedAt) =
            try row.decode((Int64, Bool, Bool, Int64?, Date?, Date?).self)
        return Row(
            ordinal: Int(ordinal), authorExists: authorExists, referencedExists: referencedExists, id: id, createdAt: createdAt,
            updatedAt: updatedAt)
    }
}

extension PostgresConnection {
    /// Runs a prepared statement and returns all its rows (reading them all is what makes an
    /// error raised during execution visible, as with ``run(_:logger:)``). A connection whose
    /// preparation failed is closed by ``Database`` (PostgresNIO would repeat the failure).
    func runPrepared<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [Statement.Row] {
        try await StatementTelemetry.run(Statement.name, sql: Statement.sql) {
            var rows: [Statement.Row] = []
            for try await row in try await execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }
}
