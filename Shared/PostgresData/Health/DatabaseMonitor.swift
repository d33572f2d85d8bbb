public import Logging
import PostgresNIO
import RPC
public import ServiceKit
public import ServiceLifecycle

/// Brings the schema up to date, then keeps checking that the database answers, and tells
/// readiness (`database` condition) and every call (``DatabaseAvailability``) what it found.
///
/// The database being down at start is not fatal: the service keeps running, answers
/// `/readyz` with 503 and calls with `unavailable`, and retries until the database is back.
/// A schema that cannot be migrated is fatal: retrying would not help.
public struct DatabaseMonitor: Service, CustomStringConvertible {
    /// The readiness condition this monitor sets; set it to not ready before the service group
    /// starts, so `/readyz` says 503 until the first migration and check have succeeded.
    public static let readinessCondition = "database"

    /// The database whose ``Database/availability`` this monitor keeps.
    public let database: Database
    /// Applied before the first health check, until they succeed.
    public let migrations: MigrationRunner
    /// Where ``readinessCondition`` is set.
    public let readiness: Readiness
    /// Time between health checks, and between migration attempts while the database is down.
    public let interval: Duration
    /// How long one `SELECT 1` may take before the database counts as unreachable.
    public let probeTimeout: Duration
    /// Where state changes are logged.
    public let logger: Logger

    /// A monitor of `database`, migrating it with `migrations` first.
    public init(
        database: Database, migrations: MigrationRunner, readiness: Readiness, interval: Duration, probeTimeout: Duration,
        logger: Logger
    ) {
        self.database = database
        self.migrations = migrations
        self.readiness = readiness
        self.interval = interval
        self.probeTimeout = probeTimeout
        self.logger = logger
    }

    /// "DatabaseMonitor", for the service group's logs.
    public var description: String { "DatabaseMonitor" }

    /// Migrates, then checks every ``interval`` until graceful shutdown. Throws only a
    /// ``MigrationError``: the schema cannot be brought up to date, and retrying cannot help.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await migrate()
            while !Task.isCancelled {
                await probe()
                try? await Task.sleep(for: interval)
            }
        }
    }

    private func migrate() async throws {
        var attempts = 0
        while !Task.isCancelled {
            attempts += 1
            do {
                let applied = try await database.migrate(with: migrations, logger: logger)
                logger.info(
                    "database schema is up to date",
                    metadata: [
                        "version": "\(migrations.latestVersion)", "applied": "\(applied.count)",
                    ])
                markReachable()
                return
            } catch let error as MigrationError {
                logger.critical("cannot migrate the database", metadata: ["error": "\(error)"])
                throw error
            } catch {
                let reason = (error as? RPCError)?.message ?? "\(error)"
                if attempts == 1 {
                    logger.warning("cannot reach the database to migrate; retrying", metadata: ["reason": "\(reason)"])
                }
                markUnreachable(reason: reason)
                try? await Task.sleep(for: interval)
            }
        }
    }

    private func probe() async {
        let budget = database.budget(deadline: .now() + TimeAmount(probeTimeout))
        do {
            try await database.withConnection(budget, logger: logger, requiresAvailability: false) { connection in
                _ = try await connection.run("SELECT 1", logger: logger)
            }
            markReachable()
        } catch {
            markUnreachable(reason: error.message)
        }
    }

    private func markReachable() {
        if database.availability.current != .reachable {
            logger.info("database reachable")
        }
        database.availability.set(.reachable)
        readiness.set(Self.readinessCondition, ready: true)
    }

    private func markUnreachable(reason: String) {
        let previous = database.availability.current
        // Before migrations have run the schema may be missing, so stay "starting" until they have.
        if previous != .starting {
            database.availability.set(.unreachable(reason: reason))
        }
        readiness.set(Self.readinessCondition, ready: false)
        if previous == .reachable {
            logger.warning("database unreachable", metadata: ["reason": "\(reason)"])
        }
    }
}
