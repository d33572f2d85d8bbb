#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// What this worker recently learned about token revocation, so that not every request pays
/// a round trip to the data service.
///
/// "Not revoked" is remembered for at most ``notRevokedLifetime``, counted from when the
/// question was sent: a logout anywhere is therefore refused here within that time.
/// "Revoked" is remembered until the token expires (it can never become valid again).
/// Forgetting is always safe — the data service is asked again — so the cache is simply
/// emptied of stale entries, or entirely, when it reaches its capacity.
final class RevocationCache: Sendable {
    static let notRevokedLifetime: Duration = .seconds(1)

    private struct Entry {
        var isRevoked: Bool
        var validUntil: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// True or false when known, nil when the data service must be asked.
    func isRevoked(_ tokenID: String, now: ContinuousClock.Instant = .now) -> Bool? {
        entries.withLock { entries in
            guard let entry = entries[tokenID] else { return nil }
            guard entry.validUntil > now else {
                entries[tokenID] = nil
                return nil
            }
            return entry.isRevoked
        }
    }

    /// - Parameter askedAt: when the question was sent, not when the answer came.
    func recordNotRevoked(_ tokenID: String, askedAt: ContinuousClock.Instant) {
        store(tokenID, Entry(isRevoked: false, validUntil: askedAt + Self.notRevokedLifetime))
    }

    func recordRevoked(_ tokenID: String, expiresAt: Date) {
        let remaining = max(0, expiresAt.timeIntervalSinceNow)
        store(tokenID, Entry(isRevoked: true, validUntil: .now + .seconds(remaining)))
    }

    var count: Int { entries.withLock { $0.count } }

    private func store(_ tokenID: String, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[tokenID] == nil {
                let now = ContinuousClock.now
                entries = entries.filter { $0.value.validUntil > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            // A known revocation is never overwritten by an older "not revoked" answer.
            if let existing = entries[tokenID], existing.isRevoked, !entry.isRevoked { return }
            entries[tokenID] = entry
        }
    }
}
