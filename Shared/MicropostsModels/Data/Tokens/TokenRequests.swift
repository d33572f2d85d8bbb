public import RPC

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A logged-out token: refused until `expiresAt`, after which it is invalid anyway and forgotten.
public struct RevokeTokenRequest: WireMessage, Hashable {
    /// The token's id (a JWT's `jti`), 1–200 characters.
    public var tokenID: String
    /// The last moment any verifier could still accept the token: its expiry plus whatever
    /// clock leeway verifiers allow. A revocation forgotten earlier would let the token back in
    /// for the rest of that leeway.
    public var expiresAt: Date

    public init(tokenID: String, expiresAt: Date) {
        self.tokenID = tokenID
        self.expiresAt = expiresAt
    }
}

public struct CheckRevokedTokensRequest: WireMessage, Hashable {
    /// At most ``DataLimits/maximumTokenIDsPerCheck`` ids.
    public var tokenIDs: [String]

    public init(tokenIDs: [String]) {
        self.tokenIDs = tokenIDs
    }
}

public struct RevokedTokens: WireMessage, Hashable {
    /// The subset of the asked ids that are revoked (and not yet expired), in no particular order.
    public var revokedIDs: [String]

    public init(revokedIDs: [String]) {
        self.revokedIDs = revokedIDs
    }
}

extension RevokeTokenRequest {
    public init() { self.init(tokenID: "", expiresAt: Date(timeIntervalSinceReferenceDate: 0)) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "tokenID", &tokenID)
        try fields.field(2, "expiresAt", &expiresAt)
    }
}

extension CheckRevokedTokensRequest {
    public init() { self.init(tokenIDs: []) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "tokenIDs", &tokenIDs)
    }
}

extension RevokedTokens {
    public init() { self.init(revokedIDs: []) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "revokedIDs", &revokedIDs)
    }
}
