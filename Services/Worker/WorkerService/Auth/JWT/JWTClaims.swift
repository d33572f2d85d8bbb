#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The claims of our access tokens; all are required when verifying.
struct JWTClaims: Codable, Sendable, Equatable {
    /// Subject: the username the token was issued to.
    var sub: String
    /// Token id, unique per token: what a logout revokes.
    var jti: String
    /// Issued at, in seconds since 1970 (a JWT NumericDate).
    var iat: Int64
    /// Expires at, in seconds since 1970.
    var exp: Int64

    var expiresAt: Date { Date(timeIntervalSince1970: TimeInterval(exp)) }

    init(sub: String, jti: String, iat: Int64, exp: Int64) {
        self.sub = sub
        self.jti = jti
        self.iat = iat
        self.exp = exp
    }

    private enum CodingKeys: String, CodingKey { case sub, jti, iat, exp }

    /// NumericDates may carry fractions (RFC 7519 §2); they are truncated, never rounded up.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sub = try container.decode(String.self, forKey: .sub)
        jti = try container.decode(String.self, forKey: .jti)
        iat = try Self.numericDate(container, .iat)
        exp = try Self.numericDate(container, .exp)
    }

    private static func numericDate(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int64 {
        let value = try container.decode(Double.self, forKey: key)
        guard value.isFinite, abs(value) < 1e15 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a NumericDate")
        }
        return Int64(value.rounded(.down))
    }
}
