import Foundation
import Logging
public import PostgresNIO

/// Applies pending migrations in version order, each in its own transaction, recording them in
/// a history table (`schema_migrations` unless told otherwise).
///
/// The whole run holds a PostgreSQL advisory lock (see ``MigrationLock``), so when several
/// instances start at once one applies the migrations and the others wait, then find nothing
/// left to do.
public struct MigrationRunner: Sendable {
    /// SQLSTATE 55P03, raised when lock_timeout expires.
    static let lockNotAvailable = "55P03"

    /// Sorted by version.
    public let migrations: [Migration]
    /// Held for the whole run.
    public let lock: MigrationLock
    /// The table recording which versions are applied.
    public let historyTable: String
    /// How long to wait for the advisory lock (another instance migrating) or for a table lock a
    /// migration needs, before failing instead of hanging.
    public var lockTimeout: Duration = .seconds(60)

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
    /// Throws ``MigrationError/schemaTooNew(databaseVersion:buildVersion:)`` for a database migrated by a newer build.
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
            try await connection.perform(
                PostgresQuery(unsafeSQL: "SET lock_timeout = \(lockTimeout.roundedUpMilliseconds)"), logger: logger
            )
            try await acquireLock(connection, logger: logger)
            let applied = try await applyPending(on: connection, logger: logger)
            try await release(connection, logger: logger)
            return applied
        } catch {
            try? await release(connection, logger: logger)
            throw error
        }
    }

    private func acquireLock(_ connection: PostgresConnection, logger: Logger) async throws {
        do {
            try await connection.perform("SELECT pg_advisory_lock(\(lock.key))", logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == Self.lockNotAvailable {
            throw MigrationError.lockNotAcquired(waited: lockTimeout)
        }
    }

    private func applyPending(on connection: PostgresConnection, logger: Logger) async throws -> [Migration] {
        try await connection.perform(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(historyTable) (
                        version    bigint      PRIMARY KEY,
                        name       text        NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """),
            logger: logger
        )
        var recorded: Set<Int> = []
        let versions: PostgresQuery = "SELECT version FROM \(unescaped: historyTable)"
        for try await version in try await connection.query(versions, logger: logger).decode(Int.self) {
            recorded.insert(version)
        }
        if let newest = recorded.max(), newest > latestVersion {
            throw MigrationError.schemaTooNew(databaseVersion: newest, buildVersion: latestVersion)
        }

        var applied: [Migration] = []
        for migration in migrations where !recorded.contains(migration.version) {
            try await apply(migration, on: connection, logger: logger)
            logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            applied.append(migration)
        }
        return applied
    }

    /// The most offending rows a refusal lists; the rest are counted.
    static let listedViolations = 20

    private func apply(_ migration: Migration, on connection: PostgresConnection, logger: Logger) async throws {
        do {
            try await connection.perform("BEGIN", logger: logger)
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
                "INSERT INTO \(unescaped: historyTable) (version, name) VALUES (\(migration.version), \(migration.name))",
                logger: logger
            )
            try await connection.perform("COMMIT", logger: logger)
        } catch let error as MigrationError {
            try? await connection.perform("ROLLBACK", logger: logger)
            throw error
        } catch {
            try? await connection.perform("ROLLBACK", logger: logger)
            throw MigrationError.failed(version: migration.version, name: migration.name, detail: Self.describe(error))
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
