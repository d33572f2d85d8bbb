import Logging
import NIOCore
import MicropostsModels
import PostgresNIO
import RPC

/// Users and their credentials. Password hashes are made and checked here and never returned.
struct UserRepository: Sendable {
    let database: Database
    let hasher: PasswordHasher
    let pointReads: StatementBatcher<String, String>

    /// The hash is computed before a connection is leased, so a slow hash never holds one.
    func register(_ request: RegisterUserRequest, _ call: DatabaseCall) async throws -> User {
        let hash = try await hasher.hash(request.password)
        let username = request.username
        return try await database.withConnection(for: call) { connection in
            let rows = try await connection.run(
                "INSERT INTO users (username, password_hash) VALUES (\(username), \(hash)) RETURNING username",
                logger: call.logger)
            guard let row = rows.first else { throw RPCError.internal("insert returned no row") }
            return User(username: try row.decode(String.self))
        }
    }

    /// Unknown users and wrong passwords both end in the same `unauthenticated` error after
    /// one hash's worth of work.
    func verifyCredentials(_ request: VerifyCredentialsRequest, _ call: DatabaseCall) async throws -> User {
        let failure = RPCError(.unauthenticated, "unknown username or wrong password")
        let username = request.username
        let storedHash: String? = try await database.withConnection(for: call) { connection in
            let rows = try await connection.run(
                "SELECT password_hash FROM users WHERE username = \(username)", logger: call.logger)
            return try rows.first?.decode(String.self)
        }
        guard let storedHash else {
            try await hasher.simulateVerification(request.password)
            throw failure
        }
        guard try await hasher.verify(request.password, against: storedHash) else { throw failure }
        return User(username: username)
    }

    /// Reads go through ``pointReads``, which answers concurrent ones with one statement.
    func get(_ request: GetUserRequest, _ call: DatabaseCall) async throws -> User {
        guard let found = try await pointReads.submit(request.username, deadline: call.deadline) else {
            throw RPCError.notFound("no user '\(request.username)'")
        }
        return User(username: found)
    }

    /// The batch behind ``get(_:_:)``: each existing username maps to itself.
    static func fetch(usernames: [String], deadline: NIODeadline?, database: Database, logger: Logger) async throws(RPCError) -> [String: String] {
        try await database.withConnection(database.budget(deadline: deadline), logger: logger) { connection in
            var found: [String: String] = [:]
            for username in try await connection.runPrepared(ExistingUsernames(usernames: usernames), logger: logger) {
                found[username] = username
            }
            return found
        }
    }
}
