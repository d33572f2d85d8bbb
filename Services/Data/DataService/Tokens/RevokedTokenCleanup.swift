import Logging
import ServiceLifecycle

/// Deletes revoked-token rows whose tokens have expired: a token past its expiry is refused
/// anyway, so its row only makes the table and the revocation check slower.
struct RevokedTokenCleanup: Service, CustomStringConvertible {
    let tokens: RevokedTokenRepository
    let interval: Duration
    let logger: Logger

    var description: String { "RevokedTokenCleanup" }

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                do {
                    let deleted = try await tokens.deleteExpired(DatabaseCall(deadline: nil, logger: logger))
                    if deleted > 0 { logger.debug("deleted expired revoked tokens", metadata: ["count": "\(deleted)"]) }
                } catch {
                    // Unavailable databases are reported by the monitor; the next round retries.
                    logger.debug("revoked token cleanup failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
