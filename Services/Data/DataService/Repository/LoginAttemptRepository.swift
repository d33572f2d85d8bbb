import Foundation
import Metrics
import PostgresData
import PostgresNIO
import RPC

/// How many failed logins an account may have before further attempts are refused unchecked.
struct LoginThrottleSettings: Sendable, Equatable {
    static let defaultMaximumAttempts = 10
    static let defaultWindow: Duration = .seconds(15 * 60)

    /// Attempts per account per window; 0 turns the throttle off.
    var maximumAttempts = defaultMaximumAttempts
    /// Counted from the first attempt of a window; the throttle lifts when it ends.
    var window = defaultWindow

    var isEnabled: Bool { maximumAttempts > 0 }
}

/// Counts login attempts per account in PostgreSQL.
///
/// The count lives in the database because every worker and every data instance must see the
/// same one: kept in one process's memory, an attacker spreading guesses over N processes
/// (the edge balances them) would get N times the allowance, and a restart would reset it.
/// The key is the lowercased username, the spelling usernames are unique in, and it is kept
/// for names no account has too: an unknown name is throttled exactly like an existing one,
/// so the throttle does not tell which usernames exist.
///
/// An attempt is counted *before* its password is checked, in the statement that also reads
/// the stored hash: concurrent guesses cannot all slip through between a check and a later
/// increment. A successful login clears the account's count.
struct LoginAttemptRepository: Sendable {
    let database: Database
    let settings: LoginThrottleSettings
    private let throttled = Counter(label: "auth_throttled_total", dimensions: [("action", "login"), ("scope", "account")])

    init(database: Database, settings: LoginThrottleSettings) {
        self.database = database
        self.settings = settings
    }

    enum Admission: Sendable, Equatable {
        /// Check the password against `storedHash` (nil: no such user; check a dummy).
        case check(storedHash: String?)
        case throttled(retryAfterSeconds: Int)
    }

    /// Counts this attempt and reads the stored hash, in one statement.
    func admit(username: String, _ call: DatabaseCall) async throws -> Admission {
        guard settings.isEnabled else {
            let storedHash: String? = try await database.withConnection(for: call) { connection in
                try await connection.run("SELECT password_hash FROM users WHERE username = \(username)", logger: call.logger)
                    .first?.decode(String.self)
            }
            return .check(storedHash: storedHash)
        }
        let window = windowSeconds
        let (attempts, remaining, storedHash) = try await database.withConnection(for: call) { connection in
            let rows = try await connection.run(
                """
                WITH attempt AS (
                    INSERT INTO login_attempts AS a (account, attempts, window_start) VALUES (lower(\(username)), 1, now())
                    ON CONFLICT (account) DO UPDATE SET
                        attempts = CASE WHEN a.window_start <= now() - \(window) * interval '1 second' THEN 1 ELSE least(a.attempts, 1000000000) + 1 END,
                        window_start = CASE WHEN a.window_start <= now() - \(window) * interval '1 second' THEN now() ELSE a.window_start END
                    RETURNING attempts, window_start
                )
                SELECT attempt.attempts,
                       extract(epoch FROM attempt.window_start + \(window) * interval '1 second' - now())::float8,
                       (SELECT password_hash FROM users WHERE username = \(username))
                FROM attempt
                """,
                logger: call.logger)
            guard let row = rows.first else { throw RPCError.internal("login attempt upsert returned no row") }
            return try row.decode((Int, Double, String?).self)
        }
        guard attempts <= settings.maximumAttempts else {
            throttled.increment()
            return .throttled(retryAfterSeconds: max(1, Int(remaining.rounded(.up))))
        }
        return .check(storedHash: storedHash)
    }

    /// Clears the account's count after a successful login.
    func reset(username: String, _ call: DatabaseCall) async throws {
        guard settings.isEnabled else { return }
        try await database.withConnection(for: call) { connection in
            _ = try await connection.run("DELETE FROM login_attempts WHERE account = lower(\(username))", logger: call.logger)
        }
    }

    /// Deletes counts whose window has ended (they would be restarted anyway); returns how many.
    func deleteExpired(_ call: DatabaseCall) async throws -> Int {
        let window = windowSeconds
        return try await database.withConnection(for: call) { connection in
            try await connection.run(
                """
                WITH deleted AS (DELETE FROM login_attempts WHERE window_start <= now() - \(window) * interval '1 second' RETURNING 1)
                SELECT count(*) FROM deleted
                """,
                logger: call.logger
            ).first?.decode(Int.self) ?? 0
        }
    }

    private var windowSeconds: Double {
        let (seconds, attoseconds) = settings.window.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
