/// Limits of a ``StatementBatcher`` (see ``BatchQueue``).
public struct BatchSettings: Sendable, Equatable {
    /// Most requests (distinct keys) in one statement.
    public var maximumBatchSize: Int
    /// Batches of one kind running at once. One, like a group commit: while a statement runs
    /// the next batch forms, so a busy service sends fewer, fuller statements. Measured on the
    /// full stack of the example app (2 cores, 64 clients, stacks side by side): point reads
    /// ~12 600 req/s with 1, ~10 400 with 2, ~8 000 with 4; inserts ~9 000, ~7 900, ~6 600.
    public var maximumConcurrentBatches: Int
    /// A batch running longer stops holding its slot, and queued requests start another
    /// beside it (at most `maximumConcurrentBatches` more); nil: never. Well above what a
    /// batch takes under full load (1–5 ms for the example app's), so it comes into play only
    /// when a statement is stuck.
    public var slowBatchAge: Duration?

    /// Limits for a batcher; the defaults suit point reads and single-row inserts.
    public init(maximumBatchSize: Int = 256, maximumConcurrentBatches: Int = 1, slowBatchAge: Duration? = .milliseconds(20)) {
        self.maximumBatchSize = maximumBatchSize
        self.maximumConcurrentBatches = maximumConcurrentBatches
        self.slowBatchAge = slowBatchAge
    }
}
