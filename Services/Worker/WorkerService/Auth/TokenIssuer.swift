#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Issues access tokens: HS256 JWTs whose subject is the username, with a fresh random id
/// (what a logout revokes) and the configured lifetime.
struct TokenIssuer: Sendable {
    let tokens: HS256Token
    let lifetime: Duration
    let clock: WallClock

    var lifetimeSeconds: Int64 { lifetime.components.seconds }

    func issue(to username: String) -> (token: String, claims: JWTClaims) {
        let issuedAt = Int64(clock.now().timeIntervalSince1970.rounded(.down))
        let claims = JWTClaims(sub: username, jti: UUID().uuidString.lowercased(), iat: issuedAt, exp: issuedAt + lifetimeSeconds)
        return (tokens.sign(claims), claims)
    }
}
