import Logging
import PostgresData
import ServiceLifecycle

/// Deletes rows that no longer mean anything, every `interval`:
/// - revoked tokens past the last moment any verifier could accept them (refused anyway, their
///   rows only make the table and the revocation check slower);
/// - login-attempt counts whose window has ended (the next attempt starts a new window anyway).
struct ExpiredRowCleanup: Service, CustomStringConvertible {
    let tokens: RevokedTokenRepository
    let loginAttempts: LoginAttemptRepository
    let interval: Duration
    let logger: Logger

    var description: String { "ExpiredRowCleanup" }

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                await clean("expired revoked tokens") { try await tokens.deleteExpired($0) }
                await clean("ended login attempt windows") { try await loginAttempts.deleteExpired($0) }
            }
        }
    }

    private func clean(_ what: String, _ delete: (DatabaseCall) async throws -> Int) async {
        do {
            let deleted = try await delete(DatabaseCall(deadline: nil, logger: logger))
            if deleted > 0 { logger.debug("deleted \(what)", metadata: ["count": "\(deleted)"]) }
        } catch {
            // Unavailable databases are reported by the monitor; the next round retries.
            logger.debug("cleanup of \(what) failed", metadata: ["error": "\(error)"])
        }
    }
}
