import Foundation
import MicropostsModels
import PostgresData
import PostgresNIO
import RPC

/// Logged-out tokens, kept until they would have expired anyway.
struct RevokedTokenRepository: Sendable {
    let database: Database

    /// Revoking again keeps the later expiry, so a repeated call never shortens a revocation.
    func revoke(_ request: RevokeTokenRequest, _ call: DatabaseCall) async throws {
        let (tokenID, expiresAt) = (request.tokenID, request.expiresAt)
        try await database.withConnection(for: call) { connection in
            _ = try await connection.run(
                """
                INSERT INTO revoked_tokens (token_id, expires_at) VALUES (\(tokenID), \(expiresAt))
                ON CONFLICT (token_id) DO UPDATE SET expires_at = GREATEST(revoked_tokens.expires_at, EXCLUDED.expires_at)
                """,
                logger: call.logger)
        }
    }

    func revoked(among request: CheckRevokedTokensRequest, _ call: DatabaseCall) async throws -> RevokedTokens {
        let ids = request.tokenIDs
        guard !ids.isEmpty else { return RevokedTokens(revokedIDs: []) }
        let revoked = try await database.withConnection(for: call) { connection in
            try await connection.run(
                "SELECT token_id FROM revoked_tokens WHERE token_id = ANY(\(ids)) AND expires_at > now()",
                logger: call.logger
            ).map { try $0.decode(String.self) }
        }
        return RevokedTokens(revokedIDs: revoked)
    }

    /// Deletes rows of tokens that have expired; returns how many.
    func deleteExpired(_ call: DatabaseCall) async throws -> Int {
        try await database.withConnection(for: call) { connection in
            try await connection.run(
                "WITH deleted AS (DELETE FROM revoked_tokens WHERE expires_at <= now() RETURNING 1) SELECT count(*) FROM deleted",
                logger: call.logger
            ).first?.decode(Int.self) ?? 0
        }
    }
}
