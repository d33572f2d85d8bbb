public import Logging
public import Metrics
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix
public import PostgresNIO
public import RPC

/// A service's one way to PostgreSQL: a pool whose every use of a connection
///
/// - fails at once with `unavailable` while the health monitor knows the database is down,
/// - waits for a pooled connection at most the lease timeout (the pool alone would queue a
///   request for up to a minute while it cannot connect),
/// - bounds its statements by the caller's remaining time (see ``CallBudget``),
/// - and reports failures as RPC statuses (see ``DatabaseErrorMapping``).
///
/// The `PostgresClient` must be running (it is a `Service`; put it in the service group
/// before anything that uses this).
public final class Database: Sendable {
    /// The pool the connections come from.
    public let client: PostgresClient
    /// What the health monitor last learned; calls refuse at once while it is not `reachable`.
    public let availability: DatabaseAvailability
    /// Cap on any one statement; zero means none.
    public let statementTimeout: Duration
    /// Longest wait for a pooled connection.
    public let leaseTimeout: Duration
    /// Turns what a failed lease or statement threw into an RPC status.
    public let errorMapping: DatabaseErrorMapping
    /// Fails the work on a connection that closes.
    private let closeWatch = ConnectionCloseWatch()
    /// Runs the lease timers.
    private let timerLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    /// Connections whose `statement_timeout` is currently below the cap they were opened with.
    private let tightenedConnections = NIOLockedValueBox<Set<PostgresConnection.ID>>([])
    private let metrics: PoolMetrics

    /// - Parameters:
    ///   - statementTimeout: the cap the pool's connections were opened with (see
    ///     ``DatabaseSettings/statementTimeout``); a lease with more time left than this needs
    ///     no `SET` round trip.
    ///   - leaseTimeout: longest wait for a pooled connection, usually the connect timeout.
    ///   - errorMapping: the app's constraint names on top of the generic SQLSTATE mapping.
    ///   - metricsFactory: where the pool's metrics go (see ``PoolMetrics``): the bootstrapped
    ///     factory unless a test brings its own.
    public init(
        client: PostgresClient, availability: DatabaseAvailability = DatabaseAvailability(), statementTimeout: Duration,
        leaseTimeout: Duration, errorMapping: DatabaseErrorMapping = DatabaseErrorMapping(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        metrics = PoolMetrics(factory: metricsFactory)
        self.client = client
        self.availability = availability
        self.statementTimeout = statementTimeout
        self.leaseTimeout = leaseTimeout
        self.errorMapping = errorMapping
    }

    /// The budget of a call that gives up at `deadline` (nil: never), capped by ``statementTimeout``.
    public func budget(deadline: NIODeadline?) -> CallBudget {
        CallBudget(deadline: deadline, statementTimeout: statementTimeout)
    }

    /// Runs `body` on a leased connection whose `statement_timeout` is the budget's limit.
    ///
    /// Errors come back as RPC statuses: `deadlineExceeded` when the budget ran out (before
    /// or during the statement), `unavailable` when no connection could be had, and whatever
    /// ``errorMapping`` makes of what `body` threw.
    ///
    /// - Parameter requiresAvailability: false only for the health check and migrations,
    ///   which are how availability is learned in the first place.
    public func withConnection<Result: Sendable>(
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
        let asked = NIODeadline.now()
        let metrics = self.metrics
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
                                metrics.wait.recordNanoseconds((NIODeadline.now() - asked).nanoseconds)
                                metrics.inUse.increment()
                                defer { metrics.inUse.decrement() }
                                return try await self.run(body, on: connection, budget: budget, attempt: attempt, logger: logger)
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
                    // A scheduled task on an event loop, not a sleeping Task: `Task.sleep` goes
                    // through Dispatch's timer thread, which showed up as ~10 % of a busy
                    // service's CPU when every lease had one.
                    let timer = self.timerLoop.scheduleTask(in: TimeAmount(leaseWait)) {
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
            throw errorMapping.rpcError(for: error, logger: logger)
        } catch LeaseOutcome.timedOut {
            metrics.timeouts.increment()
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

    /// Runs `body` on a leased connection with its statement limit, and makes sure the caller
    /// is answered even when PostgresNIO never answers the query (see ConnectionCloseWatch).
    private func run<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result,
        on connection: PostgresConnection, budget: CallBudget, attempt: LeaseAttempt<Result>, logger: Logger
    ) async throws -> Result {
        let watch = closeWatch.begin(on: connection) { error in attempt.abandon(with: error) }
        var overrun: Scheduled<Void>?
        do {
            let limit = try budget.statementLimit()
            // A query the server never received is not ended by its statement_timeout: past the
            // limit and a grace second, the caller is answered and the work let go.
            if limit > .zero {
                overrun = timerLoop.scheduleTask(in: TimeAmount(limit + .seconds(1))) {
                    attempt.abandon(with: RPCError.unavailable("the database did not answer within \(limit)"))
                }
            }
            try await applyStatementLimit(limit, to: connection, logger: logger)
            let result = try await body(connection)
            overrun?.cancel()
            closeWatch.end(watch, on: connection)
            return result
        } catch {
            overrun?.cancel()
            closeWatch.end(watch, on: connection)
            if Self.mayHavePoisoned(error) { try? await connection.close() }
            throw LeaseOutcome.bodyFailed(error)
        }
    }

    /// PostgresNIO 1.33 remembers a failed preparation for the life of the connection and
    /// answers every later use of that statement there with the same error. Preparing takes
    /// the tables' locks, so a lock wait cut short by `statement_timeout` would poison the
    /// connection for good; after such an error the connection is closed, and the pool opens a
    /// fresh one. Errors about the values (SQLSTATE classes 22 and 23) come from executing,
    /// never from preparing, and leave the connection alone.
    private static func mayHavePoisoned(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let sqlState = error.serverInfo?[.sqlState] else { return false }
        return !sqlState.hasPrefix("22") && !sqlState.hasPrefix("23")
    }

    private func checkAvailability() throws(RPCError) {
        switch availability.current {
        case .reachable:
            return
        // Refused before any statement ran: not processed, so the caller may retry another
        // instance (a new one appears in DNS before it is ready).
        case .starting:
            throw RPCError(.unavailable, "database not ready: migrations have not completed", wasProcessed: false)
        case .unreachable(let reason):
            throw RPCError(.unavailable, "database unreachable: \(reason)", wasProcessed: false)
        }
    }

    /// Sets the connection's `statement_timeout` to `limit` — but skips the round trip in
    /// the common case: the limit is the service's cap (the caller has more time than that)
    /// and the connection still has the cap it was opened with. Connections left with a
    /// tighter limit are remembered and reset on their next lease.
    private func applyStatementLimit(_ limit: Duration, to connection: PostgresConnection, logger: Logger) async throws {
        let isSessionDefault = limit == statementTimeout
        let needsQuery = tightenedConnections.withLockedValue { tightened in
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
        var timer: Scheduled<Void>?
    }

    private let state = NIOLockedValueBox(State())

    /// Stores the caller's continuation; false (and answered) if the caller was cancelled first.
    func start(_ continuation: CheckedContinuation<Result, any Error>) -> Bool {
        let cancelled = state.withLockedValue { state in
            if state.winner == .cancelled { return true }
            state.continuation = continuation
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    func track(lease: Task<Void, Never>, timer: Scheduled<Void>) {
        let winner = state.withLockedValue { state -> Winner? in
            // Answered already: keep no handles (the lease task holds this object, and
            // holding it back would keep both alive for good).
            guard state.continuation != nil else { return state.winner }
            state.lease = lease
            state.timer = timer
            return state.winner
        }
        switch winner {
        case .leased?, .failed?: timer.cancel()
        case .cancelled?:
            lease.cancel()
            timer.cancel()
        case .timedOut?, nil: break
        }
    }

    func claim(_ winner: Winner) -> Bool {
        let (claimed, timer) = state.withLockedValue { state -> (Bool, Scheduled<Void>?) in
            guard state.winner == nil else { return (false, nil) }
            state.winner = winner
            return (true, state.timer)
        }
        // Once the lease has an outcome, the timer has nothing left to decide.
        if claimed, winner == .leased || winner == .failed { timer?.cancel() }
        return claimed
    }

    /// Answers the caller, once; later answers are dropped. Lets go of the task handles, which
    /// would otherwise form a cycle with the lease task that holds this object.
    func resume(with result: Swift.Result<Result, any Error>) {
        state.withLockedValue { state -> CheckedContinuation<Result, any Error>? in
            defer {
                state.continuation = nil
                state.lease = nil
                state.timer = nil
            }
            return state.continuation
        }?.resume(with: result)
    }

    /// The leased work overran its time: the caller gets `error` now, and the lease task is
    /// cancelled and left to end whenever PostgresNIO lets it.
    func abandon(with error: RPCError) {
        let lease = state.withLockedValue { $0.lease }
        resume(with: .failure(LeaseOutcome.bodyFailed(error)))
        lease?.cancel()
    }

    /// The caller gave up: it is answered at once unless its work already holds a connection,
    /// which then sees the cancellation and ends by itself.
    func cancel() {
        if claim(.cancelled) {
            let (lease, timer) = state.withLockedValue { ($0.lease, $0.timer) }
            lease?.cancel()
            timer?.cancel()
            resume(with: .failure(CancellationError()))
        } else if state.withLockedValue({ $0.winner }) == .leased {
            state.withLockedValue { $0.lease }?.cancel()
        }
    }
}

extension PostgresConnection {
    /// Runs `query` and returns all its rows. PostgresNIO reports an error raised while the
    /// statement executes only to whoever reads the rows, so reading them all is what makes
    /// a failure visible.
    @discardableResult
    public func run(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await StatementTelemetry.run(StatementTelemetry.operation(of: query.sql), sql: query.sql) {
            try await self.query(query, logger: logger).collect()
        }
    }
}
