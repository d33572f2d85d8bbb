import Foundation
import Logging
import MicropostsModels
import NIOCore
import PostgresData
import PostgresNIO
import RPC

/// Microposts: one SQL statement per method (per batch, for creates and reads). Writes to an existing post find the post, check
/// who may change it and change it in the same statement, so no other write can slip in
/// between a check and the change.
struct MicropostRepository: Sendable {
    let database: Database
    let pointReads: StatementBatcher<Int64, Micropost>
    let inserts: StatementBatcher<PendingInsert, InsertOutcome>

    /// Creates go through ``inserts``, which commits concurrent ones together.
    func create(_ request: CreateMicropostRequest, _ call: DatabaseCall) async throws -> Micropost {
        switch try await inserts.submit(MicropostInserts.pending(request), deadline: call.deadline) {
        case .created(let post)?: return post
        case .failed(let error)?: throw error
        case nil: throw RPCError.internal("insert returned no post")
        }
    }

    /// Reads go through ``pointReads``, which answers concurrent ones with one statement.
    func get(_ request: GetMicropostRequest, _ call: DatabaseCall) async throws -> Micropost {
        guard let post = try await pointReads.submit(request.id, deadline: call.deadline), post.author == request.username else {
            throw Self.notFound(id: request.id, username: request.username)
        }
        return post
    }

    /// The batch behind ``get(_:_:)``.
    static func fetch(ids: [Int64], deadline: NIODeadline?, database: Database, logger: Logger) async throws(RPCError) -> [Int64: Micropost]
    {
        try await database.withConnection(database.budget(deadline: deadline), logger: logger) { connection in
            var posts: [Int64: Micropost] = [:]
            posts.reserveCapacity(ids.count)
            for post in try await connection.runPrepared(MicropostsByID(ids: ids), logger: logger) { posts[post.id] = post }
            return posts
        }
    }

    func replace(_ request: ReplaceMicropostRequest, _ call: DatabaseCall) async throws -> Micropost {
        try await update(
            PostKey(username: request.username, id: request.id, actingUsername: request.actingUsername),
            text: request.text, referenced: .set(request.referenced), call)
    }

    func patch(_ request: PatchMicropostRequest, _ call: DatabaseCall) async throws -> Micropost {
        try await update(
            PostKey(username: request.username, id: request.id, actingUsername: request.actingUsername),
            text: request.text, referenced: request.referenced.isChanged ? .set(request.referenced.value) : .keep, call)
    }

    func delete(_ request: DeleteMicropostRequest, _ call: DatabaseCall) async throws {
        let key = PostKey(username: request.username, id: request.id, actingUsername: request.actingUsername)
        let row = try await database.withConnection(for: call) { connection in
            try await connection.run(
                """
                WITH target AS (
                    SELECT m.id, a.username = \(key.actingUsername) AS is_author
                    FROM microposts m JOIN users a ON a.id = m.author_id
                    WHERE m.id = \(key.id) AND a.username = \(key.username)
                ),
                deleted AS (
                    DELETE FROM microposts m USING target
                    WHERE m.id = target.id AND target.is_author
                    RETURNING m.id
                )
                SELECT EXISTS (SELECT 1 FROM target), COALESCE((SELECT is_author FROM target), false),
                       EXISTS (SELECT 1 FROM deleted)
                """,
                logger: call.logger
            ).first
        }
        guard let row else { throw RPCError.internal("delete returned no row") }
        let (found, isAuthor, deleted) = try row.decode((Bool, Bool, Bool).self)
        try key.check(found: found, isAuthor: isAuthor)
        // Found and owned, yet not deleted: a concurrent delete won.
        guard deleted else { throw Self.notFound(id: key.id, username: key.username) }
    }

    // MARK: Updating

    /// Who asks to change which post.
    private struct PostKey: Sendable {
        let username: String
        let id: Int64
        let actingUsername: String

        func check(found: Bool, isAuthor: Bool) throws(RPCError) {
            guard found else { throw MicropostRepository.notFound(id: id, username: username) }
            guard isAuthor else {
                throw RPCError(.permissionDenied, "only '\(username)' may change micropost \(id)")
            }
        }
    }

    /// A new referenced user (nil clears it), or keep the current one.
    private enum ReferencedChange: Sendable {
        case keep
        case set(String?)
    }

    private func update(_ key: PostKey, text: String?, referenced: ReferencedChange, _ call: DatabaseCall) async throws -> Micropost {
        let (changesReferenced, newReferenced): (Bool, String?) =
            switch referenced {
            case .keep: (false, nil)
            case .set(let name): (true, name)
            }
        let row = try await database.withConnection(for: call) { connection in
            try await connection.run(
                """
                WITH target AS (
                    SELECT m.id, a.username = \(key.actingUsername) AS is_author
                    FROM microposts m JOIN users a ON a.id = m.author_id
                    WHERE m.id = \(key.id) AND a.username = \(key.username)
                ),
                referenced AS (SELECT id FROM users WHERE username = \(newReferenced)),
                updated AS (
                    UPDATE microposts m SET
                        text = COALESCE(\(text)::text, m.text),
                        referenced_id = CASE WHEN \(changesReferenced) THEN (SELECT id FROM referenced) ELSE m.referenced_id END,
                        updated_at = now()
                    FROM target
                    WHERE m.id = target.id AND target.is_author
                      AND (NOT \(changesReferenced) OR \(newReferenced)::text IS NULL OR EXISTS (SELECT 1 FROM referenced))
                    RETURNING m.id, m.text, m.referenced_id, m.created_at, m.updated_at
                )
                SELECT EXISTS (SELECT 1 FROM target), COALESCE((SELECT is_author FROM target), false),
                       EXISTS (SELECT 1 FROM referenced),
                       u.id, u.text, r.username, u.created_at, u.updated_at
                FROM (VALUES (1)) AS one LEFT JOIN updated u ON true LEFT JOIN users r ON r.id = u.referenced_id
                """,
                logger: call.logger
            ).first
        }
        guard let row else { throw RPCError.internal("update returned no row") }
        let (found, isAuthor, referencedExists, id, newText, referencedName, createdAt, updatedAt) =
            try row.decode((Bool, Bool, Bool, Int64?, String?, String?, Date?, Date?).self)
        try key.check(found: found, isAuthor: isAuthor)
        if changesReferenced, let newReferenced, !referencedExists {
            throw RPCError.invalidArgument("referenced: no user '\(newReferenced)'")
        }
        guard let id, let newText, let createdAt, let updatedAt else {
            // Found and owned, yet not updated: a concurrent delete won.
            throw Self.notFound(id: key.id, username: key.username)
        }
        return Micropost(
            id: id, author: key.username, text: newText, referenced: referencedName, createdAt: createdAt, updatedAt: updatedAt)
    }

    static func notFound(id: Int64, username: String) -> RPCError {
        .notFound("no micropost \(id) by '\(username)'")
    }
}
