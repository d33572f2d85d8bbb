import MicropostsModels

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension InMemoryState {
    /// Revoking again keeps the later end, so a repeated call never shortens a revocation.
    mutating func revoke(_ tokenID: String, until end: Date, now: Date) {
        revocations[tokenID] = max(revocations[tokenID] ?? end, end)
        guard revocations.count >= revocationSweepAt else { return }
        revocations = revocations.filter { $0.value > now }
        revocationSweepAt = max(Self.minimumSweepSize, revocations.count * 2)
    }

    /// The asked ids whose revocation has not ended, each once.
    func revoked(among tokenIDs: [String], now: Date) -> RevokedTokens {
        var seen = Set<String>()
        return RevokedTokens(
            revokedIDs: tokenIDs.filter { id in
                guard let end = revocations[id], end > now else { return false }
                return seen.insert(id).inserted
            })
    }
}
