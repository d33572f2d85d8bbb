public import NIOCore
public import RPC

/// How long one piece of database work may take: the caller's remaining time, capped by the
/// service's statement timeout.
///
/// PostgresNIO 1.33 does not stop a running query when the awaiting task is cancelled (it
/// neither interrupts the wait nor sends PostgreSQL a cancel request), so the RPC deadline
/// alone would leave an abandoned query holding its connection and its locks. Instead every
/// lease of a connection sets `statement_timeout` to what is left of the budget, and the
/// server cancels the statement itself once the caller has given up.
public struct CallBudget: Sendable {
    /// When the caller stops waiting; nil when it set no deadline.
    public let deadline: NIODeadline?
    /// Upper bound for any one statement whatever the deadline; zero means none.
    public let statementTimeout: Duration

    /// A budget ending at `deadline` (nil: none), each statement capped at `statementTimeout` (zero: no cap).
    public init(deadline: NIODeadline?, statementTimeout: Duration) {
        self.deadline = deadline
        self.statementTimeout = statementTimeout
    }

    /// Time left before the deadline, or nil without a deadline.
    public func remaining(now: NIODeadline = .now()) -> Duration? {
        deadline.map { .nanoseconds(($0 - now).nanoseconds) }
    }

    /// The `statement_timeout` for a statement starting now; zero means no limit, as in
    /// PostgreSQL. Throws `deadlineExceeded` once the deadline has passed.
    public func statementLimit(now: NIODeadline = .now()) throws(RPCError) -> Duration {
        let cap: Duration? = statementTimeout > .zero ? statementTimeout : nil
        guard let remaining = remaining(now: now) else { return cap ?? .zero }
        guard remaining > .zero else { throw RPCError(.deadlineExceeded, "deadline exceeded before the query started") }
        return cap.map { min(remaining, $0) } ?? remaining
    }
}
