import Logging
import MicropostsModels
import NIOCore
import PostgresData
import PostgresNIO
import RPC

/// The paginated micropost lists: a user's collection, their timeline, and search.
/// All are newest first by id, which only grows, so it is creation order.
struct MicropostListRepository: Sendable {
    let database: Database
    let collectionPages: StatementBatcher<CollectionPageKey, MicropostColumnArrays>

    /// Goes through ``collectionPages``, which answers concurrent requests with one statement.
    func collection(_ request: UserListRequest, _ call: DatabaseCall) async throws -> Page<Micropost> {
        let username = request.username
        let key = CollectionPageKey(username: username, window: PageWindow(request.page))
        guard let columns = try await collectionPages.submit(key, deadline: call.deadline), columns.owner != nil else {
            throw RPCError.notFound("no user '\(username)'")
        }
        return columns.page
    }

    /// The batch behind ``collection(_:_:)``.
    static func fetch(
        pages: [CollectionPageKey], deadline: NIODeadline?, database: Database, logger: Logger
    ) async throws(RPCError) -> [CollectionPageKey: MicropostColumnArrays] {
        try await database.withConnection(database.budget(deadline: deadline), logger: logger) { connection in
            let rows = try await connection.runPrepared(CollectionPages(pages: pages), logger: logger)
            guard rows.count == pages.count else {
                throw RowShapeError(description: "\(rows.count) pages came back for \(pages.count) requested")
            }
            var results: [CollectionPageKey: MicropostColumnArrays] = [:]
            results.reserveCapacity(pages.count)
            for (position, columns) in rows {
                results[pages[Int(position) - 1]] = columns
            }
            return results
        }
    }

    /// Posts by the users `username` follows (not their own).
    func timeline(_ request: UserListRequest, _ call: DatabaseCall) async throws -> Page<Micropost> {
        let (username, window) = (request.username, PageWindow(request.page))
        let rows = try await database.withConnection(for: call) { connection in
            try OwnedMicropostRows(
                try await connection.run(
                    """
                    WITH reader AS (SELECT id FROM users WHERE username = \(username))
                    SELECT EXISTS (SELECT 1 FROM reader), p.id, p.author, p.text, p.referenced, p.created_at, p.updated_at
                    FROM (VALUES (1)) AS one LEFT JOIN (
                        SELECT m.id, a.username AS author, m.text, r.username AS referenced, m.created_at, m.updated_at
                        FROM reader
                        JOIN follows f ON f.follower_id = reader.id
                        JOIN microposts m ON m.author_id = f.followed_id
                        JOIN users a ON a.id = m.author_id
                        LEFT JOIN users r ON r.id = m.referenced_id
                        ORDER BY m.id DESC LIMIT \(window.limit) OFFSET \(window.offset)
                    ) AS p ON true
                    ORDER BY p.id DESC
                    """,
                    logger: call.logger))
        }
        guard rows.ownerExists else { throw RPCError.notFound("no user '\(username)'") }
        return window.page(of: rows.posts)
    }

    /// Case-insensitive substring search; the pattern characters of LIKE in the input are
    /// escaped, so `%`, `_` and `\` match only themselves.
    func search(_ request: SearchMicropostsRequest, _ call: DatabaseCall) async throws -> Page<Micropost> {
        let window = PageWindow(request.page)
        let textPattern = Self.containsPattern(request.text)
        let usernamePattern = request.username.map(Self.containsPattern)
        let rows = try await database.withConnection(for: call) { connection in
            try await connection.run(
                """
                SELECT m.id, a.username, m.text, r.username, m.created_at, m.updated_at
                FROM microposts m JOIN users a ON a.id = m.author_id LEFT JOIN users r ON r.id = m.referenced_id
                WHERE m.text ILIKE \(textPattern) ESCAPE '\\'
                  AND (\(usernamePattern)::text IS NULL OR a.username ILIKE \(usernamePattern) ESCAPE '\\')
                ORDER BY m.id DESC LIMIT \(window.limit) OFFSET \(window.offset)
                """,
                logger: call.logger
            ).map(Micropost.init(row:))
        }
        return window.page(of: rows)
    }

    /// `%<term>%` with the term's `\`, `%` and `_` escaped by `\`.
    static func containsPattern(_ term: String) -> String {
        var escaped = "%"
        for character in term {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "%"
    }
}
