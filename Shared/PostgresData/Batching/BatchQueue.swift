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
/// A batch that has run longer than ``slowBatchAge`` stops holding its slot: queued requests
/// may then start a batch beside it (at most ``maximumConcurrentBatches`` more), so a
/// statement stuck behind a lock, a slow flush or an index merge delays its own requests, not
/// every request of its kind after it. Time is passed in as nanoseconds of a monotonic clock.
///
/// Inlinable, so that callers in other modules get it specialized for their key type.
public struct BatchQueue<Key: Hashable & Sendable>: Sendable {
    /// Names one waiting request; the caller chooses them, unique among those waiting.
    public typealias WaiterID = UInt64

    /// The keys of one batch, and who waits for which.
    public struct Batch: Sendable {
        /// Names the batch among those running; ``batchFinished(_:now:)`` takes it back.
        public let id: UInt64
        /// It started only because running batches had turned slow.
        public let isBesideSlowBatches: Bool
        /// Distinct keys, in arrival order.
        public var keys: [Key] = []
        /// Every request the batch answers, several per key when they share one.
        public var waiters: [(key: Key, waiter: WaiterID)] = []

        @inlinable
        init(id: UInt64, isBesideSlowBatches: Bool) {
            self.id = id
            self.isBesideSlowBatches = isBesideSlowBatches
        }
    }

    /// Most distinct keys in one batch.
    public let maximumBatchSize: Int
    /// Batches running at once, not counting those past ``slowBatchAge``.
    public let maximumConcurrentBatches: Int
    /// Nanoseconds after which a running batch no longer holds its slot; nil: it always does.
    public let slowBatchAge: UInt64?
    /// When each running batch started, by id; a handful at most.
    @usableFromInline var running: [(id: UInt64, start: UInt64)] = []
    @usableFromInline var nextBatchID: UInt64 = 0
    /// Queued keys in arrival order, with their waiters.
    @usableFromInline var queuedKeys: [Key] = []
    @usableFromInline var queuedWaiters: [Key: [WaiterID]] = [:]

    /// An empty queue; both limits must be positive.
    /// - Parameter slowBatchAge: nanoseconds after which a running batch lets another start
    ///   beside it; nil never.
    @inlinable
    public init(maximumBatchSize: Int, maximumConcurrentBatches: Int, slowBatchAge: UInt64? = nil) {
        precondition(maximumBatchSize > 0 && maximumConcurrentBatches > 0, "batch limits must be positive")
        self.maximumBatchSize = maximumBatchSize
        self.maximumConcurrentBatches = maximumConcurrentBatches
        self.slowBatchAge = slowBatchAge
    }

    /// Batches started and not yet finished.
    @inlinable
    public var runningBatches: Int { running.count }

    /// Distinct keys waiting for a batch.
    @inlinable
    public var queuedKeyCount: Int { queuedKeys.count }

    /// When the next running batch turns slow and may let the queued requests start a batch
    /// beside it (``startBesideSlowBatches(now:)``); nil when nothing waits, no batch is still
    /// to turn slow, or no more may run.
    @inlinable
    public func nextSlowDeadline(now: UInt64) -> UInt64? {
        guard let slowBatchAge, !queuedKeys.isEmpty, running.count < 2 * maximumConcurrentBatches else { return nil }
        return running.lazy.map { $0.start &+ slowBatchAge }.filter { $0 > now }.min()
    }

    /// Queues a request. Returns a batch to start now when a batch slot is free; the caller
    /// runs it and then calls ``batchFinished(_:now:)``.
    @inlinable
    public mutating func enqueue(_ key: Key, waiter: WaiterID, now: UInt64) -> Batch? {
        if queuedWaiters[key] == nil {
            queuedKeys.append(key)
            queuedWaiters[key] = [waiter]
        } else {
            queuedWaiters[key, default: []].append(waiter)
        }
        return startIfAllowed(now: now)
    }

    /// `batch` has finished: returns the next one to run in its place, if the queue has one
    /// and a slot is free.
    @inlinable
    public mutating func batchFinished(_ batch: Batch, now: UInt64) -> Batch? {
        guard let index = running.firstIndex(where: { $0.id == batch.id }) else {
            preconditionFailure("batchFinished for a batch that is not running")
        }
        running.remove(at: index)
        return startIfAllowed(now: now)
    }

    /// A batch of the queued requests when the running ones have turned slow since they
    /// started (at ``nextSlowDeadline(now:)``): nothing else would start one until a batch ends or
    /// another request comes.
    @inlinable
    public mutating func startBesideSlowBatches(now: UInt64) -> Batch? {
        startIfAllowed(now: now)
    }

    /// Running batches that still hold their slot: all, or those younger than the slow age. A
    /// caller reads the clock before it takes the lock, so `now` may predate a batch another
    /// thread started meanwhile: that batch is young, not 2⁶⁴ ns old.
    @inlinable
    func slotsHeld(now: UInt64) -> Int {
        guard let slowBatchAge else { return running.count }
        return running.reduce(0) { held, batch in held + (now <= batch.start || now - batch.start < slowBatchAge ? 1 : 0) }
    }

    @inlinable
    mutating func startIfAllowed(now: UInt64) -> Batch? {
        guard !queuedKeys.isEmpty, slotsHeld(now: now) < maximumConcurrentBatches,
            running.count < 2 * maximumConcurrentBatches
        else { return nil }
        nextBatchID &+= 1
        let batch = takeBatch(id: nextBatchID, isBesideSlowBatches: running.count >= maximumConcurrentBatches)
        running.append((nextBatchID, now))
        return batch
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
    mutating func takeBatch(id: UInt64, isBesideSlowBatches: Bool) -> Batch {
        let count = min(queuedKeys.count, maximumBatchSize)
        var batch = Batch(id: id, isBesideSlowBatches: isBesideSlowBatches)
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
