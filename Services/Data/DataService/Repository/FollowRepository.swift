import MicropostsModels
import PostgresData
import PostgresNIO
import RPC

/// Who follows whom, and the two paginated lists of it.
struct FollowRepository: Sendable {
    let database: Database

    func follow(_ request: FollowRequest, _ call: DatabaseCall) async throws -> FollowResponse {
        let (username, other) = (request.username, request.other)
        guard username != other else { throw RPCError.invalidArgument("other: a user cannot follow themselves") }
        let row = try await database.withConnection(for: call) { connection in
            try await connection.run(
                """
                WITH follower AS (SELECT id FROM users WHERE username = \(username)),
                followed AS (SELECT id FROM users WHERE username = \(other)),
                inserted AS (
                    INSERT INTO follows (follower_id, followed_id)
                    SELECT follower.id, followed.id FROM follower, followed
                    ON CONFLICT DO NOTHING
                    RETURNING 1
                )
                SELECT EXISTS (SELECT 1 FROM follower), EXISTS (SELECT 1 FROM followed), EXISTS (SELECT 1 FROM inserted)
                """,
                logger: call.logger
            ).first
        }
        guard let row else { throw RPCError.internal("follow returned no row") }
        let (followerExists, otherExists, inserted) = try row.decode((Bool, Bool, Bool).self)
        guard followerExists else { throw RPCError.notFound("no user '\(username)'") }
        guard otherExists else { throw RPCError.invalidArgument("other: no user '\(other)'") }
        return FollowResponse(wasAlreadyFollowing: !inserted)
    }

    func unfollow(_ request: FollowRequest, _ call: DatabaseCall) async throws -> UnfollowResponse {
        let (username, other) = (request.username, request.other)
        let row = try await database.withConnection(for: call) { connection in
            try await connection.run(
                """
                WITH follower AS (SELECT id FROM users WHERE username = \(username)),
                followed AS (SELECT id FROM users WHERE username = \(other)),
                deleted AS (
                    DELETE FROM follows f USING follower, followed
                    WHERE f.follower_id = follower.id AND f.followed_id = followed.id
                    RETURNING 1
                )
                SELECT EXISTS (SELECT 1 FROM follower), EXISTS (SELECT 1 FROM followed), EXISTS (SELECT 1 FROM deleted)
                """,
                logger: call.logger
            ).first
        }
        guard let row else { throw RPCError.internal("unfollow returned no row") }
        let (followerExists, otherExists, deleted) = try row.decode((Bool, Bool, Bool).self)
        guard followerExists else { throw RPCError.notFound("no user '\(username)'") }
        guard otherExists else { throw RPCError.notFound("no user '\(other)'") }
        return UnfollowResponse(wasFollowing: deleted)
    }

    /// Whom `username` follows, most recently followed first.
    func following(_ request: UserListRequest, _ call: DatabaseCall) async throws -> Page<User> {
        try await list(request, call, direction: .following)
    }

    /// Who follows `username`, most recent follower first.
    func followers(_ request: UserListRequest, _ call: DatabaseCall) async throws -> Page<User> {
        try await list(request, call, direction: .followers)
    }

    private enum Direction: Sendable {
        case following, followers
    }

    private func list(_ request: UserListRequest, _ call: DatabaseCall, direction: Direction) async throws -> Page<User> {
        let (username, window) = (request.username, PageWindow(request.page))
        // Two whole statements rather than spliced column names: the SQL stays constant text.
        let query: PostgresQuery =
            switch direction {
            case .following:
                """
                WITH subject AS (SELECT id FROM users WHERE username = \(username))
                SELECT EXISTS (SELECT 1 FROM subject), p.username
                FROM (VALUES (1)) AS one LEFT JOIN (
                    SELECT u.username, f.created_at, u.id
                    FROM subject JOIN follows f ON f.follower_id = subject.id JOIN users u ON u.id = f.followed_id
                    ORDER BY f.created_at DESC, u.id DESC LIMIT \(window.limit) OFFSET \(window.offset)
                ) AS p ON true
                ORDER BY p.created_at DESC, p.id DESC
                """
            case .followers:
                """
                WITH subject AS (SELECT id FROM users WHERE username = \(username))
                SELECT EXISTS (SELECT 1 FROM subject), p.username
                FROM (VALUES (1)) AS one LEFT JOIN (
                    SELECT u.username, f.created_at, u.id
                    FROM subject JOIN follows f ON f.followed_id = subject.id JOIN users u ON u.id = f.follower_id
                    ORDER BY f.created_at DESC, u.id DESC LIMIT \(window.limit) OFFSET \(window.offset)
                ) AS p ON true
                ORDER BY p.created_at DESC, p.id DESC
                """
            }
        let rows = try await database.withConnection(for: call) { connection in
            try await connection.run(query, logger: call.logger).map { try $0.decode((Bool, String?).self) }
        }
        guard rows.contains(where: \.0) else { throw RPCError.notFound("no user '\(username)'") }
        return window.page(of: rows.compactMap { $0.1.map(User.init(username:)) })
    }
}
