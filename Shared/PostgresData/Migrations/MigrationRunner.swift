import Logging
import Metrics
public import PostgresNIO

/// Applies pending migrations in version order, recording them in a history table
/// (`schema_migrations` unless told otherwise).
///
/// The whole run holds a PostgreSQL advisory lock (see ``MigrationLock``), so when several
/// instances start at once one applies the migrations and the others wait, then find nothing
/// left to do. Statements ask for table locks in short attempts (see ``MigrationSettings``),
/// so live queries never queue behind a waiting migration for longer than one attempt.
///
/// Each migration's ``Migration/Compatibility`` is recorded with it, so a build older than the
/// schema runs against it as long as no migration it does not know is a `contract` one: that is
/// what lets a rolling deploy keep old instances serving, and roll back.
public struct MigrationRunner: Sendable {
    /// SQLSTATE 55P03, raised when lock_timeout expires.
    static let lockNotAvailable = "55P03"
    /// The longest pause between two attempts at a migration's table locks.
    static let longestLockPause = Duration.seconds(1)

    /// Sorted by version.
    public let migrations: [Migration]
    /// Held for the whole run.
    public let lock: MigrationLock
    /// The table recording which versions are applied.
    public let historyTable: String
    /// How long to wait for locks.
    public var settings = MigrationSettings()
    /// By version: the oldest build (named by its latest schema version) whose code runs
    /// against the schema after that migration.
    public let oldestCompatibleBuild: [Int: Int]

    /// A runner for `migrations` (in any order) under `lock`, recording them in `historyTable`,
    /// which apps sharing a database must each name differently.
    /// - Throws: ``MigrationError/duplicateVersion(_:)``, ``MigrationError/invalidHistoryTable(_:)``.
    public init(migrations: [Migration], lock: MigrationLock, historyTable: String = "schema_migrations") throws {
        guard Self.isPlainIdentifier(historyTable) else { throw MigrationError.invalidHistoryTable(historyTable) }
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(next.version)
        }
        self.migrations = sorted
        self.lock = lock
        self.historyTable = historyTable
        // An expand migration keeps whatever ran before it running; a contract one only itself.
        var oldest = 0
        var oldestCompatibleBuild: [Int: Int] = [:]
        for migration in sorted {
            if migration.compatibility == .contract { oldest = migration.version }
            oldestCompatibleBuild[migration.version] = oldest
        }
        self.oldestCompatibleBuild = oldestCompatibleBuild
    }

    /// The table name is spliced into SQL, so it is held to what needs no quoting.
    private static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63, !("0"..."9").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// The schema version this build produces.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies what is pending and returns what this call applied (empty when already up to date).
    /// Throws ``MigrationError/schemaTooNew(databaseVersion:requiredVersion:buildVersion:)`` for a
    /// database migrated by a newer build this one cannot run against.
    @discardableResult
    public func run(on client: PostgresClient, logger: Logger) async throws -> [Migration] {
        try await client.withConnection { connection in
            try await run(on: connection, logger: logger)
        }
    }

    /// ``run(on:logger:)-(PostgresClient,_)`` on a connection the caller has leased, e.g. with a bounded wait.
    @discardableResult
    public func run(on connection: PostgresConnection, logger: Logger) async throws -> [Migration] {
        // The lock belongs to this session, so everything runs on this one connection.
        do {
            // Migrations may legitimately outlast the service's per-statement limit.
            try await connection.perform("SET statement_timeout = 0", logger: logger)
            try await setLockTimeout(settings.lockWait, on: connection, logger: logger)
            try await acquireLock(connection, logger: logger)
            try await setLockTimeout(settings.lockAttempt, on: connection, logger: logger)
            let applied = try await applyPending(on: connection, logger: logger)
            try await release(connection, logger: logger)
            return applied
        } catch {
            try? await release(connection, logger: logger)
            throw error
        }
    }

    private func setLockTimeout(_ timeout: Duration, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.perform(PostgresQuery(unsafeSQL: "SET lock_timeout = \(timeout.roundedUpMilliseconds)"), logger: logger)
    }

    private func acquireLock(_ connection: PostgresConnection, logger: Logger) async throws {
        do {
            try await connection.perform("SELECT pg_advisory_lock(\(lock.key))", logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == Self.lockNotAvailable {
            throw MigrationError.lockNotAcquired(waited: settings.lockWait)
        }
    }

    private func applyPending(on connection: PostgresConnection, logger: Logger) async throws -> [Migration] {
        // `oldest_compatible`: the oldest build (by its latest schema version) that runs on the
        // schema after this version. Builds before the column existed leave it NULL, read as
        // the version itself.
        try await connection.perform(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(historyTable) (
                        version           bigint      PRIMARY KEY,
                        name              text        NOT NULL,
                        applied_at        timestamptz NOT NULL DEFAULT now(),
                        oldest_compatible bigint
                    )
                    """),
            logger: logger
        )
        try await connection.perform(
            PostgresQuery(unsafeSQL: "ALTER TABLE \(historyTable) ADD COLUMN IF NOT EXISTS oldest_compatible bigint"), logger: logger)
        var recorded: [Int: Int] = [:]
        let versions: PostgresQuery = "SELECT version, coalesce(oldest_compatible, version) FROM \(unescaped: historyTable)"
        for try await (version, oldest) in try await connection.query(versions, logger: logger).decode((Int, Int).self) {
            recorded[version] = oldest
        }
        if let newest = recorded.keys.max(), newest > latestVersion, let required = recorded[newest] {
            guard required <= latestVersion else {
                throw MigrationError.schemaTooNew(databaseVersion: newest, requiredVersion: required, buildVersion: latestVersion)
            }
            logger.notice(
                "the database schema is newer than this build and compatible with it",
                metadata: ["version": "\(newest)", "build": "\(latestVersion)", "oldestCompatibleBuild": "\(required)"])
        }

        var applied: [Migration] = []
        for migration in migrations where recorded[migration.version] == nil {
            try await applyInLockAttempts(migration, on: connection, logger: logger)
            logger.info(
                "applied migration",
                metadata: ["version": "\(migration.version)", "name": "\(migration.name)", "compatibility": "\(migration.compatibility)"])
            applied.append(migration)
        }
        return applied
    }

    /// Applies `migration`, starting it again after a pause whenever a statement's table lock
    /// attempt times out, until ``MigrationSettings/lockWait`` has passed.
    private func applyInLockAttempts(_ migration: Migration, on connection: PostgresConnection, logger: Logger) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var pause = settings.lockAttempt
        var attempts = 0
        while true {
            attempts += 1
            do {
                try await apply(migration, on: connection, logger: logger)
                return
            } catch is LockAttemptTimedOut {
                let waited = start.duration(to: clock.now)
                guard waited + pause < settings.lockWait else {
                    throw MigrationError.tablesBusy(version: migration.version, name: migration.name, attempts: attempts, waited: waited)
                }
                MigrationMetrics.lockRetries.increment()
                logger.notice(
                    "a migration's table lock is busy; trying again",
                    metadata: ["version": "\(migration.version)", "attempt": "\(attempts)", "pause": "\(pause)"])
                // Jitter keeps instances that were refused together from coming back together.
                try await Task.sleep(for: pause + .milliseconds(Int.random(in: 0...Int(pause.roundedUpMilliseconds))))
                pause = min(pause * 2, Self.longestLockPause)
            }
        }
    }

    /// The most offending rows a refusal lists; the rest are counted.
    static let listedViolations = 20

    /// A statement's lock attempt ran out; the migration is tried again.
    private struct LockAttemptTimedOut: Error {}

    private func apply(_ migration: Migration, on connection: PostgresConnection, logger: Logger) async throws {
        do {
            if migration.inTransaction { try await connection.perform("BEGIN", logger: logger) }
            // Statements come from files in this build, never from input.
            for step in migration.steps {
                switch step {
                case .execute(let statement):
                    try await connection.perform(PostgresQuery(unsafeSQL: statement), logger: logger)
                case .refuseIfRows(let query, let reason):
                    let violations = try await connection.firstColumns(PostgresQuery(unsafeSQL: query), logger: logger)
                    guard violations.isEmpty else {
                        throw MigrationError.refused(
                            version: migration.version, name: migration.name, reason: reason,
                            violations: Array(violations.prefix(Self.listedViolations)), total: violations.count)
                    }
                }
            }
            try await connection.perform(
                """
                INSERT INTO \(unescaped: historyTable) (version, name, oldest_compatible)
                VALUES (\(migration.version), \(migration.name), \(oldestCompatibleBuild[migration.version] ?? migration.version))
                """,
                logger: logger
            )
            if migration.inTransaction { try await connection.perform("COMMIT", logger: logger) }
        } catch {
            if migration.inTransaction { try? await connection.perform("ROLLBACK", logger: logger) }
            switch error {
            case let error as MigrationError:
                throw error
            case let error as PSQLError where error.serverInfo?[.sqlState] == Self.lockNotAvailable:
                throw LockAttemptTimedOut()
            default:
                let applied = migration.inTransaction ? "rolled back" : "not recorded; statements before the failing one stay applied"
                throw MigrationError.failed(
                    version: migration.version, name: migration.name, detail: "\(Self.describe(error)) (\(applied))")
            }
        }
    }

    /// Leaves the pooled connection as it found it: unlocked and with its configured timeouts.
    /// (Unlocking a lock this session does not hold only draws a server warning.)
    private func release(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.perform("SELECT pg_advisory_unlock(\(lock.key))", logger: logger)
        try await connection.perform("RESET statement_timeout", logger: logger)
        try await connection.perform("RESET lock_timeout", logger: logger)
    }

    /// PSQLError hides the server's message from `description` (it may contain data); a failed
    /// migration's message is our own schema text, and the operator needs it.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError, let info = error.serverInfo, let message = info[.message] else {
            return String(describing: error)
        }
        let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
        return message + state
    }
}

extension PostgresConnection {
    /// Runs `query` and drains its rows. PostgresNIO hands back the row sequence as soon as the row
    /// description arrives, so an error raised while the statement executes (a lock timeout, a failing
    /// function) only surfaces to whoever reads the rows; an undrained call would seem to succeed.
    fileprivate func perform(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }

    /// Each row's first column as text (NULL as "NULL").
    fileprivate func firstColumns(_ query: PostgresQuery, logger: Logger) async throws -> [String] {
        var values: [String] = []
        for try await row in try await self.query(query, logger: logger) {
            guard let cell = row.first else { continue }
            values.append(try cell.decode(String?.self) ?? "NULL")
        }
        return values
    }
}
