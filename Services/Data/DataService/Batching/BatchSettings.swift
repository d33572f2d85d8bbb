/// Limits of the batched statements: point reads and inserts (see ``BatchQueue``).
struct BatchSettings: Sendable, Equatable {
    /// Most requests (distinct keys) in one statement.
    var maximumBatchSize = 256
    /// Batches of one kind running at once. A few keep an idle service's reads unqueued and
    /// leave most pooled connections to everything else.
    var maximumConcurrentBatches = 4
}
