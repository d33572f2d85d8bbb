import NIOConcurrencyHelpers

/// Tokens whose signature and claims were checked recently, so a client that sends the same
/// token on every request pays for HMAC and JSON decoding once. The key is the whole token,
/// signature included, so only the exact bytes that were verified can hit; expiry is checked
/// again on every hit, and revocation is not cached here at all (see ``RevocationCache``).
final class VerifiedTokenCache: Sendable {
    private let entries = NIOLockedValueBox<[String: JWTClaims]>([:])
    /// Bounds memory against a client sending endless distinct valid tokens: when full, the
    /// cache starts over.
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func claims(for token: String) -> JWTClaims? {
        entries.withLockedValue { $0[token] }
    }

    func store(_ claims: JWTClaims, for token: String) {
        guard capacity > 0 else { return }
        entries.withLockedValue { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}
