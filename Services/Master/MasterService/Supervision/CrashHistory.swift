/// A slot's recent unexpected exits: the backoff and the crash-loop verdict come from here.
public struct CrashHistory: Sendable, Equatable {
    public struct Decision: Sendable, Equatable {
        public var delay: Duration
        public var isLooping: Bool
        /// True only for the exit that tipped the slot into a crash loop, so it is reported once.
        public var startedLooping: Bool
    }

    public private(set) var consecutiveFailures = 0
    public private(set) var isLooping = false
    private var recentExits: [ContinuousClock.Instant] = []

    public init() {}

    /// Records an unexpected exit at `now`. `readySince` is when the instance that died became
    /// ready (nil if it never did): one that served for a whole crash-loop window was healthy,
    /// so its death starts the backoff from the beginning instead of continuing an old streak.
    public mutating func recordExit(
        at now: ContinuousClock.Instant, readySince: ContinuousClock.Instant?, policy: RestartPolicy
    ) -> Decision {
        if let readySince, now - readySince >= policy.crashLoopWindow {
            consecutiveFailures = 0
        }
        consecutiveFailures += 1
        recentExits.append(now)
        recentExits.removeAll { now - $0 > policy.crashLoopWindow }
        let wasLooping = isLooping
        isLooping = recentExits.count >= policy.crashLoopExits
        let delay = isLooping ? policy.backoffCap : policy.delay(consecutiveFailures: consecutiveFailures)
        return Decision(delay: delay, isLooping: isLooping, startedLooping: isLooping && !wasLooping)
    }

    /// Ends a crash loop once an instance has stayed ready for a whole window. Returns true
    /// when that happened now, so the recovery is reported once.
    public mutating func noteHealthy(
        at now: ContinuousClock.Instant, readySince: ContinuousClock.Instant, policy: RestartPolicy
    ) -> Bool {
        guard now - readySince >= policy.crashLoopWindow, isLooping || consecutiveFailures > 0 else { return false }
        let wasLooping = isLooping
        isLooping = false
        consecutiveFailures = 0
        recentExits.removeAll()
        return wasLooping
    }
}
