import AppServer
import Hummingbird
import Logging
import MicropostsModels
import RPC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks a request's `Authorization: Bearer <token>`: signature, pinned algorithm, expiry
/// and claims locally, then revocation through the cache or the data service.
struct Authenticator: RequestAuthenticator {
    let tokens: HS256Token
    let revocations: RevocationCache
    let verified: VerifiedTokenCache
    let data: DataClient
    /// The wall clock tokens are checked against; tests move it.
    let clock: WallClock

    func authenticate(_ request: Request, context: AppRequestContext) async throws -> AuthenticatedUser {
        let token = try bearerToken(request)
        let now = clock.now()
        let claims = try verifiedClaims(token, now: now, context: context)
        if try await isRevoked(claims.jti, now: now, context: context) {
            throw APIError.unauthorized("The access token has been revoked.", tokenPresented: true)
        }
        return AuthenticatedUser(
            username: claims.sub, tokenID: claims.jti, expiresAt: claims.expiresAt, acceptedUntil: HS256Token.acceptedUntil(claims))
    }

    private func verifiedClaims(_ token: String, now: Date, context: AppRequestContext) throws(APIError) -> JWTClaims {
        if let claims = verified.claims(for: token) {
            guard tokens.isUnexpired(claims, now: now) else { throw .unauthorized("The access token has expired.", tokenPresented: true) }
            return claims
        }
        let claims: JWTClaims
        do {
            claims = try tokens.verify(token, now: now)
        } catch {
            context.logger.debug("access token refused", metadata: ["reason": "\(error)"])
            throw .unauthorized(error == .expired ? "The access token has expired." : "The access token is invalid.", tokenPresented: true)
        }
        guard (try? DataValidation.username(claims.sub)) != nil, (try? DataValidation.tokenID(claims.jti)) != nil else {
            throw .unauthorized("The access token is invalid.", tokenPresented: true)
        }
        verified.store(claims, for: token)
        return claims
    }

    /// Fails closed: if the data service cannot say, the request fails (503) rather than
    /// risking a logged-out token being honoured.
    private func isRevoked(_ tokenID: String, now: Date, context: AppRequestContext) async throws -> Bool {
        if let known = revocations.isRevoked(tokenID, wallClock: now) { return known }
        let askedAt = ContinuousClock.now
        let answer = try await data.call(.checkRevokedTokens, CheckRevokedTokensRequest(tokenIDs: [tokenID]), context: context)
        let revoked = answer.revokedIDs.contains(tokenID)
        if !revoked { revocations.recordNotRevoked(tokenID, askedAt: askedAt) }
        return revoked
    }

    private func bearerToken(_ request: Request) throws(APIError) -> String {
        let values = request.headers[values: .authorization]
        guard let value = values.first else {
            throw .unauthorized("This resource requires an access token (Authorization: Bearer <token>).", tokenPresented: false)
        }
        guard values.count == 1 else { throw .unauthorized("Send exactly one Authorization header.", tokenPresented: true) }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthorized("Only Bearer access tokens are accepted.", tokenPresented: false)
        }
        let token = String(parts[1].trimmingOptionalWhitespace())
        guard !token.isEmpty, token.utf8.count <= 4096 else { throw .unauthorized("The access token is invalid.", tokenPresented: true) }
        return token
    }
}
