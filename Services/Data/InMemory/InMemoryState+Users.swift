import MicropostsModels
import RPC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension InMemoryState {
    static let takenMessage = "username: already taken (usernames differing only in case count as the same)"

    mutating func register(_ username: String, digest: [UInt8]) throws(RPCError) -> User {
        guard takenNames.insert(username.lowercased()).inserted else { throw .alreadyExists(Self.takenMessage) }
        passwordDigests[username] = digest
        return User(username: username)
    }

    func user(_ username: String) throws(RPCError) -> User {
        guard userExists(username) else { throw .notFound("no user '\(username)'") }
        return User(username: username)
    }

    /// What a login attempt may do next: check this digest (nil: no such user), or nothing.
    enum Admission: Sendable {
        case check(digest: [UInt8]?)
        case throttled(retryAfterSeconds: Int)
    }

    /// Counts the attempt before any password is checked, as the real service does, against
    /// the lowercased name whether or not an account has it.
    mutating func admitLogin(_ username: String, now: Date, settings: InMemoryDataSettings) -> Admission {
        guard settings.loginAttemptsPerAccount > 0 else { return .check(digest: passwordDigests[username]) }
        let window = settings.loginWindowSeconds
        let account = username.lowercased()
        var attempts = loginAttempts[account] ?? LoginAttempts(count: 0, windowStart: now)
        if attempts.windowStart <= now.addingTimeInterval(-window) { attempts = LoginAttempts(count: 0, windowStart: now) }
        attempts.count = min(attempts.count, 1_000_000_000) + 1
        loginAttempts[account] = attempts
        sweepLoginAttempts(now: now, window: window)
        guard attempts.count <= settings.loginAttemptsPerAccount else {
            let remaining = attempts.windowStart.addingTimeInterval(window).timeIntervalSince(now)
            return .throttled(retryAfterSeconds: max(1, Int(remaining.rounded(.up))))
        }
        return .check(digest: passwordDigests[username])
    }

    /// A successful login clears the account's count.
    mutating func resetLoginAttempts(_ username: String) {
        loginAttempts[username.lowercased()] = nil
    }

    private mutating func sweepLoginAttempts(now: Date, window: TimeInterval) {
        guard loginAttempts.count >= loginAttemptSweepAt else { return }
        let ended = now.addingTimeInterval(-window)
        loginAttempts = loginAttempts.filter { $0.value.windowStart > ended }
        loginAttemptSweepAt = max(Self.minimumSweepSize, loginAttempts.count * 2)
    }
}
