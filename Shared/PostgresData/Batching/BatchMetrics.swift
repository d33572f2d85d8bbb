public import Metrics

/// What one ``StatementBatcher`` reports, each series labelled `statement` with its name:
/// how many requests each statement answered (and so how many were coalesced into a statement
/// another request started), how many rows it returned, how long it ran and how often it failed.
public struct BatchMetrics: Sendable {
    /// Requests one statement answered (`db_batch_requests`, a histogram).
    @usableFromInline let requests: Recorder
    /// Keys with a result in one statement's answer (`db_batch_rows`, a histogram).
    @usableFromInline let rows: Recorder
    /// Requests answered by a statement that ran for more than them: all but one per
    /// statement (`db_batch_coalesced_requests_total`).
    @usableFromInline let coalesced: Counter
    /// How long each statement took, its wait for a connection included (`db_batch_duration_seconds`).
    @usableFromInline let duration: Timer
    /// Statements that failed; all their requests got the error (`db_batch_failures_total`).
    @usableFromInline let failures: Counter
    /// Statements started beside running ones that had turned slow (`db_batch_slow_starts_total`).
    @usableFromInline let slowStarts: Counter

    /// The series of the batched statement `statement` (e.g. `micropost_reads`), made by
    /// `factory` (the bootstrapped one unless a test brings its own).
    public init(statement: String, factory: any MetricsFactory = MetricsSystem.factory) {
        let dimensions = [("statement", statement)]
        requests = Recorder(label: "db_batch_requests", dimensions: dimensions, aggregate: true, factory: factory)
        rows = Recorder(label: "db_batch_rows", dimensions: dimensions, aggregate: true, factory: factory)
        coalesced = Counter(label: "db_batch_coalesced_requests_total", dimensions: dimensions, factory: factory)
        duration = Timer(label: "db_batch_duration_seconds", dimensions: dimensions, factory: factory)
        failures = Counter(label: "db_batch_failures_total", dimensions: dimensions, factory: factory)
        slowStarts = Counter(label: "db_batch_slow_starts_total", dimensions: dimensions, factory: factory)
    }
}
