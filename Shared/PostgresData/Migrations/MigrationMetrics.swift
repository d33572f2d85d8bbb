import Metrics

/// What migrating does that an operator watches for.
enum MigrationMetrics {
    /// Attempts at a migration's table locks that timed out and were tried again: a migration
    /// stepping aside for live traffic (see ``MigrationSettings``).
    static let lockRetries = Counter(label: "postgres_migration_lock_retries_total")
}
