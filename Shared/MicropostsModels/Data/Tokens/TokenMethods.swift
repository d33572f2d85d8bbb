public import RPC

extension RPCMethod where Request == RevokeTokenRequest, Response == NoContent {
    /// Errors: `invalidArgument` (token id not 1–200 characters). Idempotent: revoking twice
    /// keeps the later expiry.
    public static let revokeToken = RPCMethod(name: "tokens.revoke", isIdempotent: true)
}

extension RPCMethod where Request == CheckRevokedTokensRequest, Response == RevokedTokens {
    /// Which of the given token ids are revoked. Errors: `invalidArgument` (more than
    /// ``DataLimits/maximumTokenIDsPerCheck`` ids, or an id not 1–200 characters).
    public static let checkRevokedTokens = RPCMethod(name: "tokens.checkRevoked", isIdempotent: true)
}
