/// How fast a dead instance is started again.
///
/// Backoff doubles from `backoffBase` per consecutive failure, up to `backoffCap`. When
/// `crashLoopExits` exits fall within `crashLoopWindow` the slot is in a crash loop: it is
/// reported and restarted only every `backoffCap`, so a broken binary or configuration costs
/// a bounded restart rate instead of a spinning CPU.
public struct RestartPolicy: Sendable, Equatable {
    public var backoffBase: Duration
    public var backoffCap: Duration
    public var crashLoopExits: Int
    public var crashLoopWindow: Duration

    public init(
        backoffBase: Duration = .milliseconds(250),
        backoffCap: Duration = .seconds(10),
        crashLoopExits: Int = 5,
        crashLoopWindow: Duration = .seconds(30)
    ) {
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.crashLoopExits = crashLoopExits
        self.crashLoopWindow = crashLoopWindow
    }

    /// The wait before restart number `failures` (1 for the first crash in a row).
    public func delay(consecutiveFailures failures: Int) -> Duration {
        let doublings = max(0, min(failures - 1, 30))
        let uncapped = backoffBase * (1 << doublings)
        return min(uncapped, backoffCap)
    }
}
