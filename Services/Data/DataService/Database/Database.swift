import Logging
import PostgresNIO
import RPC
import Synchronization

/// The data service's one way to PostgreSQL. Every use of a connection
///
/// - fails at once with `unavailable` while the health monitor knows the database is down,
/// - waits for a pooled connection at most the connect timeout (the pool alone would queue a
///   request for up to a minute while it cannot connect),
/// - bounds its statements by the caller's remaining time (see ``CallBudget``),
/// - and reports failures as RPC statuses (see ``DatabaseErrorMapping``).
final class Database: Sendable {
    let client: PostgresClient
    let availability: DatabaseAvailability
    /// Cap on any one statement; zero means none.
    let statementTimeout: Duration
    /// Longest wait for a pooled connection.
    let leaseTimeout: Duration
    /// Connections whose `statement_timeout` is currently below the cap they were opened with.
    private let tightenedConnections = Mutex<Set<PostgresConnection.ID>>([])

    init(client: PostgresClient, availability: DatabaseAvailability, statementTimeout: Duration, leaseTimeout: Duration) {
        self.client = client
        self.availability = availability
        self.statementTimeout = statementTimeout
        self.leaseTimeout = leaseTimeout
    }

    func budget(deadline: NIODeadline?) -> CallBudget {
        CallBudget(deadline: deadline, statementTimeout: statementTimeout)
    }

    /// Runs `body` on a leased connection whose `statement_timeout` is the budget's limit.
    ///
    /// - Parameter requiresAvailability: false only for the health check and migrations,
    ///   which are how availability is learned in the first place.
    func withConnection<Result: Sendable>(
        _ budget: CallBudget,
        logger: Logger,
        requiresAvailability: Bool = true,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(RPCError) -> Result {
        if requiresAvailability { try checkAvailability() }
        let remaining = budget.remaining()
        let leaseWait = remaining.map { min($0, leaseTimeout) } ?? leaseTimeout
        let waitEndsAtDeadline = remaining.map { $0 <= leaseTimeout } ?? false
        _ = try budget.statementLimit()

        let attempt = LeaseAttempt<Result>()
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    guard attempt.start(continuation) else { return }
                    // The lease runs in a task of its own rather than as a child: PostgresNIO 1.33
                    // can miss the cancellation of a lease still queued in its pool, and a child
                    // would then hold this call (and a batch of point reads behind it) until a
                    // connection turns up. On its own, such a late lease hands the connection
                    // straight back.
                    let lease = Task {
                        do {
                            let result = try await self.client.withConnection { connection in
                                guard attempt.claim(.leased) else { throw LeaseOutcome.timedOut }
                                do {
                                    try await self.applyStatementLimit(try budget.statementLimit(), to: connection, logger: logger)
                                    return try await body(connection)
                                } catch {
                                    throw LeaseOutcome.bodyFailed(error)
                                }
                            }
                            attempt.resume(with: .success(result))
                        } catch LeaseOutcome.timedOut {
                            // Lost to the timer or the caller's cancellation, which answered already.
                        } catch let error as LeaseOutcome {
                            attempt.resume(with: .failure(error))
                        } catch {
                            if attempt.claim(.failed) { attempt.resume(with: .failure(error)) }
                        }
                    }
                    let timer = Task {
                        try? await Task.sleep(for: leaseWait)
                        if attempt.claim(.timedOut) {
                            lease.cancel()
                            attempt.resume(with: .failure(LeaseOutcome.timedOut))
                        }
                    }
                    attempt.track(lease: lease, timer: timer)
                }
            } onCancel: {
                attempt.cancel()
            }
        } catch LeaseOutcome.bodyFailed(let error) {
            throw DatabaseErrorMapping.rpcError(for: error, logger: logger)
        } catch LeaseOutcome.timedOut {
            if waitEndsAtDeadline {
                throw RPCError(.deadlineExceeded, "deadline exceeded while waiting for a database connection")
            }
            throw RPCError.unavailable("no database connection within \(leaseTimeout)")
        } catch {
            if Task.isCancelled { throw RPCError(.cancelled, "call cancelled") }
            logger.debug("cannot lease a database connection", metadata: ["error": "\(String(reflecting: error))"])
            throw RPCError.unavailable("database unavailable")
        }
    }

    private func checkAvailability() throws(RPCError) {
        switch availability.current {
        case .reachable:
            return
        case .starting:
            throw RPCError.unavailable("database not ready: migrations have not completed")
        case .unreachable(let reason):
            throw RPCError.unavailable("database unreachable: \(reason)")
        }
    }

    /// Sets the connection's `statement_timeout` to `limit` — but skips the round trip in
    /// the common case: the limit is the service's cap (the caller has more time than that)
    /// and the connection still has the cap it was opened with. Connections left with a
    /// tighter limit are remembered and reset on their next lease.
    private func applyStatementLimit(_ limit: Duration, to connection: PostgresConnection, logger: Logger) async throws {
        let isSessionDefault = limit == statementTimeout
        let needsQuery = tightenedConnections.withLock { tightened in
            isSessionDefault ? tightened.remove(connection.id) != nil : tightened.insert(connection.id).inserted || true
        }
        guard needsQuery else { return }
        try await connection.run(Self.statementTimeoutQuery(limit), logger: logger)
    }

    /// `SET` takes no parameters; `set_config` does, so even this value is bound, not spliced.
    private static func statementTimeoutQuery(_ limit: Duration) -> PostgresQuery {
        "SELECT set_config('statement_timeout', \(String(limit.roundedUpMilliseconds)), false)"
    }
}

/// How a lease attempt ended, for the code that maps it to a status.
private enum LeaseOutcome: Error {
    case timedOut
    case bodyFailed(any Error)
}

/// One attempt to lease a connection: decides, exactly once, whether the lease, its timeout,
/// a pool failure or the caller's cancellation came first, so a connection obtained just as
/// the timer fires is either used or handed straight back, never both, and the caller is
/// answered exactly once.
private final class LeaseAttempt<Result: Sendable>: Sendable {
    enum Winner: Sendable { case leased, timedOut, failed, cancelled }

    private struct State: Sendable {
        var winner: Winner?
        var continuation: CheckedContinuation<Result, any Error>?
        var lease: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// Stores the caller's continuation; false (and answered) if the caller was cancelled first.
    func start(_ continuation: CheckedContinuation<Result, any Error>) -> Bool {
        let cancelled = state.withLock { state in
            if state.winner == .cancelled { return true }
            state.continuation = continuation
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    func track(lease: Task<Void, Never>, timer: Task<Void, Never>) {
        let winner = state.withLock { state in
            state.lease = lease
            state.timer = timer
            return state.winner
        }
        switch winner {
        case .leased?, .failed?: timer.cancel()
        case .cancelled?: lease.cancel(); timer.cancel()
        case .timedOut?, nil: break
        }
    }

    func claim(_ winner: Winner) -> Bool {
        let (claimed, timer) = state.withLock { state -> (Bool, Task<Void, Never>?) in
            guard state.winner == nil else { return (false, nil) }
            state.winner = winner
            return (true, state.timer)
        }
        // Once the lease has an outcome, the timer has nothing left to decide.
        if claimed, winner == .leased || winner == .failed { timer?.cancel() }
        return claimed
    }

    /// Answers the caller, once; later answers are dropped.
    func resume(with result: Swift.Result<Result, any Error>) {
        state.withLock { state -> CheckedContinuation<Result, any Error>? in
            defer { state.continuation = nil }
            return state.continuation
        }?.resume(with: result)
    }

    /// The caller gave up: it is answered at once unless its work already holds a connection,
    /// which then sees the cancellation and ends by itself.
    func cancel() {
        if claim(.cancelled) {
            let (lease, timer) = state.withLock { ($0.lease, $0.timer) }
            lease?.cancel()
            timer?.cancel()
            resume(with: .failure(CancellationError()))
        } else if state.withLock({ $0.winner }) == .leased {
            state.withLock { $0.lease }?.cancel()
        }
    }
}

extension PostgresConnection {
    /// Runs `query` and returns all its rows. PostgresNIO reports an error raised while the
    /// statement executes only to whoever reads the rows, so reading them all is what makes
    /// a failure visible.
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}
