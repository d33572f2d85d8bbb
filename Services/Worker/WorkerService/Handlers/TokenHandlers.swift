import Hummingbird
import MicropostsModels
import RPC

/// `{"access_token": "…", "token_type": "bearer", "expires_in": 86400}` (RFC 6749 §5.1)
struct TokenBody: Encodable, Sendable {
    var access_token: String
    var token_type = "bearer"
    var expires_in: Int64
}

extension MicropostsAPI {
    /// `POST /api/token`: the OAuth 2 client-credentials grant, the username as client id.
    func login(_ call: APIRequest) async throws -> Response {
        // Unknown parameters are ignored, as RFC 6749 §3.1 requires (clients send `scope`).
        let fields = try await call.fields(accepting: [.json, .form])
        let grantType = try fields.requiredString("grant_type")
        guard grantType == "client_credentials" else {
            throw APIError.badRequest("grant_type: only client_credentials is supported.", code: "unsupported_grant_type")
        }
        let username = try fields.requiredString("client_id")
        let password = try fields.requiredString("client_secret")
        let user = try await data.call(.verifyCredentials, VerifyCredentialsRequest(username: username, password: password), context: call.context) { error in
            error.code == .unauthenticated ? .badRequest("client_id, client_secret: wrong username or password.", code: "invalid_grant") : nil
        }
        let issued = issuer.issue(to: user.username)
        // Tokens are credentials: no cache may keep this answer (RFC 6749 §5.1).
        return JSONResponse.make(
            status: .ok, body: TokenBody(access_token: issued.token, expires_in: issuer.lifetimeSeconds),
            headers: [.cacheControl: "no-store"])
    }

    /// `DELETE /api/token`: logout. The token's id is revoked in the data service (every
    /// worker then refuses it within a second) and remembered here at once.
    func logout(_ call: APIRequest, _ user: AuthenticatedUser) async throws -> Response {
        _ = try await data.call(.revokeToken, RevokeTokenRequest(tokenID: user.tokenID, expiresAt: user.expiresAt), context: call.context)
        revocations.recordRevoked(user.tokenID, expiresAt: user.expiresAt)
        return JSONResponse.noContent()
    }
}
