import Logging
import MicropostsModels
import NIOCore
import PostgresData
import PostgresNIO
import RPC

/// Users and their credentials. Password hashes are made and checked here and never returned.
///
/// Usernames are unique ignoring case (`Alice` and `alice` cannot both exist) but are looked up
/// exactly as registered: each user has one spelling, and one URL.
struct UserRepository: Sendable {
    static let takenMessage = "username: already taken (usernames differing only in case count as the same)"

    let database: Database
    let hasher: PasswordHasher
    let attempts: LoginAttemptRepository
    let pointReads: StatementBatcher<String, String>
    /// Called after a user is inserted (the username's trigram index takes it into its pending list).
    let written: @Sendable () -> Void

    /// The hash is computed before a connection is leased, so a slow hash never holds one.
    /// A name already taken, in any spelling, is refused before hashing: registration answers
    /// 409 for it anyway, and a flood of such attempts should not cost a hash each. The unique
    /// index on `lower(username)` still decides races between two registrations.
    func register(_ request: RegisterUserRequest, _ call: DatabaseCall) async throws -> User {
        let username = request.username
        let taken = try await database.withConnection(for: call) { connection in
            let rows = try await connection.run("SELECT 1 FROM users WHERE lower(username) = lower(\(username))", logger: call.logger)
            return !rows.isEmpty
        }
        if taken { throw RPCError.alreadyExists(Self.takenMessage) }
        let hash = try await hasher.hash(request.password)
        let user = try await database.withConnection(for: call) { connection in
            let rows = try await connection.run(
                "INSERT INTO users (username, password_hash) VALUES (\(username), \(hash)) RETURNING username",
                logger: call.logger)
            guard let row = rows.first else { throw RPCError.internal("insert returned no row") }
            return User(username: try row.decode(String.self))
        }
        written()
        return user
    }

    /// A login attempt (see ``LoginAttemptRepository``): counted first, refused unchecked while
    /// the account is throttled, else checked with one hash's worth of work whether or not the
    /// user exists. A name that cannot be a username is refused without either: no account can
    /// have it, so there is nothing to protect or to reveal.
    func logIn(_ request: VerifyCredentialsRequest, _ call: DatabaseCall) async throws -> LogInOutcome {
        let username = request.username
        guard (try? DataValidation.username(username)) != nil else { return .refused }
        switch try await attempts.admit(username: username, call) {
        case .throttled(let retryAfterSeconds):
            return .throttled(retryAfterSeconds: retryAfterSeconds)
        case .check(storedHash: nil):
            try await hasher.simulateVerification(request.password)
            return .refused
        case .check(storedHash: let storedHash?):
            guard try await hasher.verify(request.password, against: storedHash) else { return .refused }
            do {
                try await attempts.reset(username: username, call)
            } catch {
                // The login stands; the count merely lapses with its window.
                call.logger.warning("could not clear failed login attempts", metadata: ["error": "\(error)"])
            }
            return .verified(User(username: username))
        }
    }

    /// The previous release's ``logIn(_:_:)``, for its workers while a release rolls out: the
    /// same checks and throttle, expressed as errors (a throttled account is
    /// `resourceExhausted`, which those workers answer with 503).
    func verifyCredentials(_ request: VerifyCredentialsRequest, _ call: DatabaseCall) async throws -> User {
        let outcome = try await logIn(request, call)
        if let user = outcome.user { return user }
        if let seconds = outcome.retryAfterSeconds {
            throw RPCError(.resourceExhausted, "too many failed logins for this account; try again in \(seconds) s")
        }
        throw RPCError(.unauthenticated, "unknown username or wrong password")
    }

    /// Reads go through ``pointReads``, which answers concurrent ones with one statement.
    func get(_ request: GetUserRequest, _ call: DatabaseCall) async throws -> User {
        guard let found = try await pointReads.submit(request.username, deadline: call.deadline) else {
            throw RPCError.notFound("no user '\(request.username)'")
        }
        return User(username: found)
    }

    /// The batch behind ``get(_:_:)``: each existing username maps to itself.
    static func fetch(usernames: [String], deadline: NIODeadline?, database: Database, logger: Logger) async throws(RPCError) -> [String:
        String]
    {
        try await database.withConnection(database.budget(deadline: deadline), logger: logger) { connection in
            var found: [String: String] = [:]
            for username in try await connection.runPrepared(ExistingUsernames(usernames: usernames), logger: logger) {
                found[username] = username
            }
            return found
        }
    }
}
