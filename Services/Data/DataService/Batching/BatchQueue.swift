/// The bookkeeping of batched point reads, without I/O: which reads wait, which batch runs
/// next, and how many batches run at once.
///
/// A read starts a batch of its own while fewer than `maximumConcurrentBatches` run, so an
/// idle service adds no wait. Under load, reads queue up while the batches run, and each
/// batch that finishes takes the whole queue (up to `maximumBatchSize` distinct keys) into
/// the next statement. Reads of the same key in the queue share one row. A read never joins
/// a batch that is already running: that statement may have started before the caller's
/// own earlier write committed.
struct BatchQueue<Key: Hashable & Sendable>: Sendable {
    typealias WaiterID = UInt64

    /// The keys of one statement, and who waits for which.
    struct Batch: Sendable {
        var keys: [Key] = []
        var waiters: [(key: Key, waiter: WaiterID)] = []
    }

    let maximumBatchSize: Int
    let maximumConcurrentBatches: Int
    private(set) var runningBatches = 0
    /// Queued keys in arrival order, with their waiters.
    private var queuedKeys: [Key] = []
    private var queuedWaiters: [Key: [WaiterID]] = [:]

    init(maximumBatchSize: Int, maximumConcurrentBatches: Int) {
        precondition(maximumBatchSize > 0 && maximumConcurrentBatches > 0, "batch limits must be positive")
        self.maximumBatchSize = maximumBatchSize
        self.maximumConcurrentBatches = maximumConcurrentBatches
    }

    var queuedKeyCount: Int { queuedKeys.count }

    /// Queues a read. Returns a batch to start now when a batch slot is free.
    mutating func enqueue(_ key: Key, waiter: WaiterID) -> Batch? {
        if queuedWaiters[key] == nil {
            queuedKeys.append(key)
            queuedWaiters[key] = [waiter]
        } else {
            queuedWaiters[key, default: []].append(waiter)
        }
        guard runningBatches < maximumConcurrentBatches else { return nil }
        runningBatches += 1
        return takeBatch()
    }

    /// A batch has finished: returns the next one for the same slot, or frees the slot.
    mutating func batchFinished() -> Batch? {
        precondition(runningBatches > 0, "batchFinished without a running batch")
        guard !queuedKeys.isEmpty else {
            runningBatches -= 1
            return nil
        }
        return takeBatch()
    }

    /// Forgets a queued read (its caller gave up). Returns false when it is not queued: it is
    /// in a running batch, or was never here.
    mutating func cancel(_ waiter: WaiterID, key: Key) -> Bool {
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
    mutating func removeAll() -> [WaiterID] {
        let waiters = queuedKeys.flatMap { queuedWaiters[$0] ?? [] }
        queuedKeys.removeAll()
        queuedWaiters.removeAll()
        return waiters
    }

    private mutating func takeBatch() -> Batch {
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
