import AppServer
import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Signs and verifies JWTs (RFC 7519) with HMAC-SHA256 and one key.
///
/// The algorithm is pinned: a header naming anything but `HS256` — `none`, `RS256`, `hs256` —
/// is refused before the signature is looked at, so a token can never choose how it is checked.
struct HS256Token: Sendable {
    enum VerificationError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case algorithmNotAllowed
        case badSignature
        case expired
        case notYetValid

        var description: String {
            switch self {
            case .malformed(let reason): "malformed token: \(reason)"
            case .algorithmNotAllowed: "token algorithm is not HS256"
            case .badSignature: "token signature does not match"
            case .expired: "token has expired"
            case .notYetValid: "token was issued in the future"
            }
        }
    }

    /// Clock difference tolerated between the worker that issued a token and the one checking it.
    static let leeway: Int64 = 5

    /// Kept as bytes: `SymmetricKey` is not `Sendable` in this swift-crypto.
    private let secret: [UInt8]

    init(secret: [UInt8]) {
        self.secret = secret
    }

    private var key: SymmetricKey { SymmetricKey(data: secret) }

    func sign(_ claims: JWTClaims) -> String {
        let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Four plain fields: encoding cannot fail.
        let payload = Base64URL.encode((try? encoder.encode(claims)) ?? Data())
        let signingInput = header + "." + payload
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + Base64URL.encode(Array(signature))
    }

    func verify(_ token: String, now: Date = Date()) throws(VerificationError) -> JWTClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("expected three dot-separated parts") }
        guard let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw .malformed("a part is not base64url") }

        guard let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else {
            throw .malformed("header is not a JSON object with alg")
        }
        guard header.alg == "HS256" else { throw .algorithmNotAllowed }
        // We implement no extensions, so one the issuer marks critical cannot be honoured.
        guard header.crit == nil else { throw .malformed("unsupported critical header") }
        if let type = header.typ, type.uppercased() != "JWT" { throw .malformed("typ is not JWT") }

        let signingInput = parts[0].utf8.count + 1 + parts[1].utf8.count
        let signed = Array(token.utf8.prefix(signingInput))
        guard signature.count == SHA256.byteCount,
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key)
        else { throw .badSignature }

        guard let claims = try? JSONDecoder().decode(JWTClaims.self, from: Data(payloadBytes)) else {
            throw .malformed("claims sub, jti, iat and exp are required")
        }
        guard !claims.sub.isEmpty, !claims.jti.isEmpty else { throw .malformed("sub and jti must not be empty") }
        guard isUnexpired(claims, now: now) else { throw .expired }
        guard claims.iat - Self.leeway <= Self.seconds(now) else { throw .notYetValid }
        return claims
    }

    func isUnexpired(_ claims: JWTClaims, now: Date) -> Bool {
        claims.exp + Self.leeway > Self.seconds(now)
    }

    /// The first moment no verifier accepts a token with these claims any more (see
    /// ``isUnexpired(_:now:)``); whatever must hold for as long as the token works — its
    /// revocation above all — must last until then.
    static func acceptedUntil(_ claims: JWTClaims) -> Date {
        Date(timeIntervalSince1970: TimeInterval(claims.exp + leeway))
    }

    private static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    private struct Header: Decodable {
        var alg: String
        var typ: String?
        var crit: [String]?
    }
}
