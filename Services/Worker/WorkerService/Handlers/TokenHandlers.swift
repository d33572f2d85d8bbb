import AppServer
import Hummingbird
import MicropostsModels
import RPC

/// `{"access_token": "…", "token_type": "bearer", "expires_in": 86400}` (RFC 6749 §5.1)
struct TokenBody: Encodable, Sendable {
    var accessToken: String
    var tokenType = "bearer"
    var expiresIn: Int64

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
    }
}

extension MicropostsAPI {
    /// `POST /api/token`: the OAuth 2 client-credentials grant, the username as client id.
    ///
    /// Two throttles: this worker's per-address one first (before any other work), then the
    /// data service's per-account one, which counts across all workers. The account's says the
    /// same for a name no one has as for a real account.
    func login(_ call: APIRequest) async throws -> Response {
        try CredentialThrottles.admit(call.context.clientAddress, to: throttles.login, what: "login attempts")
        // Unknown parameters are ignored, as RFC 6749 §3.1 requires (clients send `scope`).
        let fields = try await call.fields(accepting: [.json, .form])
        let grantType = try fields.requiredString("grant_type")
        guard grantType == "client_credentials" else {
            throw APIError.badRequest("grant_type: only client_credentials is supported.", code: "unsupported_grant_type")
        }
        let username = try fields.requiredString("client_id")
        let password = try fields.requiredString("client_secret")
        let outcome = try await data.call(.logIn, VerifyCredentialsRequest(username: username, password: password), context: call.context)
        if let seconds = outcome.retryAfterSeconds {
            throw APIError.tooManyRequests(
                "client_id: too many failed logins for this account; try again in \(seconds) s.", retryAfterSeconds: seconds)
        }
        guard let user = outcome.user else {
            throw APIError.badRequest("client_id, client_secret: wrong username or password.", code: "invalid_grant")
        }
        let issued = issuer.issue(to: user.username)
        // Tokens are credentials: no cache may keep this answer (RFC 6749 §5.1).
        return JSONResponse.make(
            status: .ok, body: TokenBody(accessToken: issued.token, expiresIn: issuer.lifetimeSeconds),
            headers: [.cacheControl: "no-store"])
    }

    /// `DELETE /api/token`: logout. The token's id is revoked in the data service (every
    /// worker then refuses it within a second) and remembered here at once — both until the
    /// last moment any worker would still accept the token, which is its expiry plus the clock
    /// leeway: a revocation dropped at the bare expiry let the token back in for that leeway.
    func logout(_ call: APIRequest, _ user: AuthenticatedUser) async throws -> Response {
        _ = try await data.call(
            .revokeToken, RevokeTokenRequest(tokenID: user.tokenID, expiresAt: user.acceptedUntil), context: call.context)
        revocations.recordRevoked(user.tokenID, until: user.acceptedUntil)
        return JSONResponse.noContent()
    }
}
