import NIOConcurrencyHelpers

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What this worker recently learned about token revocation, so that not every request pays
/// a round trip to the data service.
///
/// "Not revoked" is remembered for at most ``notRevokedLifetime``, counted from when the
/// question was sent: a logout anywhere is therefore refused here within that time.
/// "Revoked" is remembered for as long as any worker could accept the token (its expiry plus
/// the verifiers' leeway, on the wall clock its claims are checked against): it can never
/// become valid again. Forgetting is always safe — the data service is asked again — so the
/// cache is simply emptied of stale entries, or entirely, when it reaches its capacity.
final class RevocationCache: Sendable {
    static let notRevokedLifetime: Duration = .seconds(1)

    private enum Entry {
        case notRevoked(until: ContinuousClock.Instant)
        case revoked(until: Date)

        func isValid(now: ContinuousClock.Instant, wallClock: Date) -> Bool {
            switch self {
            case .notRevoked(let until): until > now
            case .revoked(let until): until > wallClock
            }
        }
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// True or false when known, nil when the data service must be asked.
    func isRevoked(_ tokenID: String, now: ContinuousClock.Instant = .now, wallClock: Date = Date()) -> Bool? {
        entries.withLockedValue { entries in
            guard let entry = entries[tokenID] else { return nil }
            guard entry.isValid(now: now, wallClock: wallClock) else {
                entries[tokenID] = nil
                return nil
            }
            if case .revoked = entry { return true }
            return false
        }
    }

    /// - Parameter askedAt: when the question was sent, not when the answer came.
    func recordNotRevoked(_ tokenID: String, askedAt: ContinuousClock.Instant) {
        store(tokenID, .notRevoked(until: askedAt + Self.notRevokedLifetime))
    }

    /// - Parameter until: the last moment any worker would accept the token
    ///   (``AuthenticatedUser/acceptedUntil``).
    func recordRevoked(_ tokenID: String, until: Date) {
        store(tokenID, .revoked(until: until))
    }

    var count: Int { entries.withLockedValue { $0.count } }

    private func store(_ tokenID: String, _ entry: Entry) {
        entries.withLockedValue { entries in
            if entries.count >= capacity, entries[tokenID] == nil {
                let (now, wallClock) = (ContinuousClock.now, Date())
                entries = entries.filter { $0.value.isValid(now: now, wallClock: wallClock) }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            // A known revocation is never overwritten by an older "not revoked" answer.
            if case .revoked? = entries[tokenID], case .notRevoked = entry { return }
            entries[tokenID] = entry
        }
    }
}
