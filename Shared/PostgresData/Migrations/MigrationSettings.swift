public import ServiceKit

/// How long migrations wait for locks.
///
/// A statement such as `ALTER TABLE` waiting for a table lock makes every query that arrives
/// after it wait too (PostgreSQL queues lock requests in order), so a migration stuck behind
/// one long transaction would stall all live traffic on the table. Migrations therefore ask
/// for locks in short attempts, each giving up after ``lockAttempt`` (PostgreSQL's
/// `lock_timeout`), and try again after a pause in which the queued queries run, until
/// ``lockWait`` has passed.
public struct MigrationSettings: Sendable, Equatable {
    /// How long a run may wait for locks in all: for another instance that is migrating (the
    /// advisory lock), and for the table locks of one migration across its attempts.
    public var lockWait: Duration
    /// How long one attempt may wait for a table lock; live queries behind it wait no longer.
    public var lockAttempt: Duration

    public init(lockWait: Duration = .seconds(60), lockAttempt: Duration = .milliseconds(50)) {
        self.lockWait = lockWait
        self.lockAttempt = lockAttempt
    }

    /// Reads `--migration-lock-wait` and `--migration-lock-attempt` (and their variables).
    public static func read(from reader: inout ConfigReader, defaults: MigrationSettings = MigrationSettings()) -> MigrationSettings {
        let wait = Setting<Duration>.duration(
            "migration-lock-wait", env: "MIGRATION_LOCK_WAIT", default: defaults.lockWait,
            help: "How long migrating may wait for locks in all (another instance migrating, busy tables) before it fails.")
        let attempt = Setting<Duration>.duration(
            "migration-lock-attempt", env: "MIGRATION_LOCK_ATTEMPT", default: defaults.lockAttempt,
            help: "How long one migration statement may wait for a table lock before it backs off and tries again; "
                + "queries arriving meanwhile wait behind it no longer than this.")
        var settings = MigrationSettings(lockWait: reader.read(wait), lockAttempt: reader.read(attempt))
        if settings.lockWait <= .zero {
            reader.reject(wait, because: "must be more than 0")
            settings.lockWait = defaults.lockWait
        }
        if settings.lockAttempt <= .zero || settings.lockAttempt > settings.lockWait {
            reader.reject(attempt, because: "must be more than 0 and at most --migration-lock-wait")
            settings.lockAttempt = defaults.lockAttempt
        }
        return settings
    }
}
