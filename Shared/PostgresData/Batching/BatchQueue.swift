/// The bookkeeping of batched requests, without I/O: which requests wait, which batch runs
/// next, and how many batches run at once. ``StatementBatcher`` drives it; use it directly to
/// batch work of another shape.
///
/// A request starts a batch of its own while fewer than ``maximumConcurrentBatches`` run, so
/// an idle service adds no wait. Under load, requests queue up while the batches run, and each
/// batch that finishes takes the whole queue (up to ``maximumBatchSize`` distinct keys) into
/// the next one. Requests for the same key in the queue share one answer. A request never
/// joins a batch that is already running: that statement may have started before the
/// caller's own earlier write committed.
///
/// Inlinable, so that callers in other modules get it specialized for their key type.
public struct BatchQueue<Key: Hashable & Sendable>: Sendable {
    /// Names one waiting request; the caller chooses them, unique among those waiting.
    public typealias WaiterID = UInt64

    /// The keys of one batch, and who waits for which.
    public struct Batch: Sendable {
        /// Distinct keys, in arrival order.
        public var keys: [Key] = []
        /// Every request the batch answers, several per key when they share one.
        public var waiters: [(key: Key, waiter: WaiterID)] = []

        @inlinable
        init() {}
    }

    /// Most distinct keys in one batch.
    public let maximumBatchSize: Int
    /// Batches running at once.
    public let maximumConcurrentBatches: Int
    @usableFromInline var running = 0
    /// Queued keys in arrival order, with their waiters.
    @usableFromInline var queuedKeys: [Key] = []
    @usableFromInline var queuedWaiters: [Key: [WaiterID]] = [:]

    /// An empty queue; both limits must be positive.
    @inlinable
    public init(maximumBatchSize: Int, maximumConcurrentBatches: Int) {
        precondition(maximumBatchSize > 0 && maximumConcurrentBatches > 0, "batch limits must be positive")
        self.maximumBatchSize = maximumBatchSize
        self.maximumConcurrentBatches = maximumConcurrentBatches
    }

    /// Batches started and not yet finished.
    @inlinable
    public var runningBatches: Int { running }

    /// Distinct keys waiting for a batch.
    @inlinable
    public var queuedKeyCount: Int { queuedKeys.count }

    /// Queues a request. Returns a batch to start now when a batch slot is free; the caller
    /// runs it and then calls ``batchFinished()``.
    @inlinable
    public mutating func enqueue(_ key: Key, waiter: WaiterID) -> Batch? {
        if queuedWaiters[key] == nil {
            queuedKeys.append(key)
            queuedWaiters[key] = [waiter]
        } else {
            queuedWaiters[key, default: []].append(waiter)
        }
        guard running < maximumConcurrentBatches else { return nil }
        running += 1
        return takeBatch()
    }

    /// A batch has finished: returns the next one for the same slot, or frees the slot.
    @inlinable
    public mutating func batchFinished() -> Batch? {
        precondition(running > 0, "batchFinished without a running batch")
        guard !queuedKeys.isEmpty else {
            running -= 1
            return nil
        }
        return takeBatch()
    }

    /// Forgets a queued request (its caller gave up). Returns false when it is not queued: it
    /// is in a running batch, or was never here.
    @inlinable
    public mutating func cancel(_ waiter: WaiterID, key: Key) -> Bool {
        guard var waiters = queuedWaiters[key], let index = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: index)
        if waiters.isEmpty {
            queuedWaiters[key] = nil
            if let keyIndex = queuedKeys.firstIndex(of: key) { queuedKeys.remove(at: keyIndex) }
        } else {
            queuedWaiters[key] = waiters
        }
        return true
    }

    /// Empties the queue, for shutdown: returns every queued waiter.
    @inlinable
    public mutating func removeAll() -> [WaiterID] {
        let waiters = queuedKeys.flatMap { queuedWaiters[$0] ?? [] }
        queuedKeys.removeAll()
        queuedWaiters.removeAll()
        return waiters
    }

    @inlinable
    mutating func takeBatch() -> Batch {
        let count = min(queuedKeys.count, maximumBatchSize)
        var batch = Batch()
        batch.keys.reserveCapacity(count)
        for key in queuedKeys.prefix(count) {
            batch.keys.append(key)
            for waiter in queuedWaiters.removeValue(forKey: key) ?? [] {
                batch.waiters.append((key, waiter))
            }
        }
        queuedKeys.removeFirst(count)
        return batch
    }
}
