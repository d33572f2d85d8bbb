import MicropostsModels

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything an ``InMemoryData`` holds, changed only under its lock. Each method is one
/// statement of the real service: checks and change happen together, so no other call slips
/// in between.
struct InMemoryState: Sendable {
    /// Users by their exact spelling; lookups are exact, as in the real service.
    var passwordDigests: [String: [UInt8]] = [:]
    /// Lowercased usernames: unique ignoring case.
    var takenNames: Set<String> = []

    var posts: [Int64: Micropost] = [:]
    var postIDs = SortedIDs()
    var postIDsByAuthor: [String: SortedIDs] = [:]
    var lastPostID: Int64 = 0

    /// Whom each user follows, and who follows each user, oldest follow first.
    var following: [String: [String]] = [:]
    var followers: [String: [String]] = [:]

    /// Token id → the moment its revocation may be forgotten.
    var revocations: [String: Date] = [:]
    /// Lowercased username → attempts in the current window.
    var loginAttempts: [String: LoginAttempts] = [:]

    /// Table sizes at which expired revocations and ended login windows are swept: the real
    /// service deletes them every minute; here a sweep runs when a table has doubled.
    var revocationSweepAt = Self.minimumSweepSize
    var loginAttemptSweepAt = Self.minimumSweepSize
    static let minimumSweepSize = 1_024

    func userExists(_ username: String) -> Bool {
        passwordDigests[username] != nil
    }
}

/// An account's login attempts within its current window.
struct LoginAttempts: Sendable {
    var count: Int
    var windowStart: Date
}
