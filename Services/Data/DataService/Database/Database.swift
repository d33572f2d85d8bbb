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

        let race = LeaseRace()
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    try await self.client.withConnection { connection in
                        guard race.claim(.leased) else { throw LeaseOutcome.timedOut }
                        do {
                            try await self.applyStatementLimit(try budget.statementLimit(), to: connection, logger: logger)
                            return try await body(connection)
                        } catch {
                            throw LeaseOutcome.bodyFailed(error)
                        }
                    }
                }
                group.addTask {
                    // Cancelled (and ending quietly) as soon as the lease finishes first.
                    try? await Task.sleep(for: leaseWait)
                    if race.claim(.timedOut) { throw LeaseOutcome.timedOut }
                    return nil
                }
                while let next = try await group.next() {
                    if let result = next {
                        group.cancelAll()
                        return result
                    }
                }
                throw LeaseOutcome.timedOut
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

/// Decides, exactly once, whether the lease or the lease timeout came first, so a connection
/// obtained just as the timer fires is either used or handed straight back, never both.
private final class LeaseRace: Sendable {
    enum Winner: UInt8 { case none, leased, timedOut }
    private let state = Atomic<UInt8>(Winner.none.rawValue)

    func claim(_ winner: Winner) -> Bool {
        state.compareExchange(expected: Winner.none.rawValue, desired: winner.rawValue, ordering: .acquiringAndReleasing).exchanged
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
