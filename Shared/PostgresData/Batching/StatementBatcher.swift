public import Logging
public import Metrics
public import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
public import RPC
public import ServiceLifecycle
public import Tracing

/// Answers many concurrent requests of one kind with few statements: requests that arrive
/// while earlier batches run are collected (see ``BatchQueue``) and run together — point
/// reads as `WHERE id = ANY($1)`, inserts as one multi-row `INSERT` (one commit, one WAL
/// flush, for all of them). A caller waits at most until it is cancelled (its RPC
/// deadline), whatever its batch does.
///
/// ```swift
/// let users = StatementBatcher<String, User>(name: "user_reads", settings: BatchSettings(), logger: logger) {
///     names, deadline throws(RPCError) in
///     try await database.withConnection(database.budget(deadline: deadline), logger: logger) { connection in
///         // SELECT … WHERE name = ANY(\(names)), keyed by name
///     }
/// }
/// let user = try await users.submit("ana", deadline: context.deadline)
/// ```
///
/// In a trace, a batch's statement is a child of the first traced request it serves and links
/// to every traced request it serves (``StatementBatchTrace``).
///
/// It is a `Service`: batches run in its own task group, so they belong to the service
/// lifecycle. Put it in the service group after the pool and before the RPC server; on
/// shutdown (after the server has drained) queued requests fail with `unavailable` and
/// running batches finish.
///
/// Inlinable, so that callers in other modules get it specialized for their types.
public final class StatementBatcher<Key: Hashable & Sendable, Value: Sendable>: Service, Sendable {
    /// Runs the statement for `keys`, giving up at `deadline` (nil: no caller set one); a key
    /// without a result (a read's missing row) is absent from the answer.
    public typealias Fetch = @Sendable (_ keys: [Key], _ deadline: NIODeadline?) async throws(RPCError) -> [Key: Value]

    @usableFromInline
    struct State: Sendable {
        @usableFromInline var queue: BatchQueue<Key>
        @usableFromInline var waiting: [BatchQueue<Key>.WaiterID: Waiter] = [:]
        @usableFromInline var nextWaiter: BatchQueue<Key>.WaiterID = 0
        @usableFromInline var isStopped = false
        /// A timer will look for batches turned slow (see ``BatchQueue/nextSlowDeadline(now:)``).
        @usableFromInline var isSlowTimerArmed = false

        @inlinable
        init(queue: BatchQueue<Key>) {
            self.queue = queue
        }

        /// When to look for batches turned slow, if no timer is armed and something waits for one.
        @inlinable
        mutating func slowTimerDeadline(now: UInt64) -> UInt64? {
            guard !isSlowTimerArmed, !isStopped, let deadline = queue.nextSlowDeadline(now: now) else { return nil }
            isSlowTimerArmed = true
            return deadline
        }
    }

    @usableFromInline
    struct Waiter: Sendable {
        @usableFromInline var continuation: CheckedContinuation<Value?, any Error>
        @usableFromInline var deadline: NIODeadline?
        /// The caller's trace, when it is in one.
        @usableFromInline var trace: ServiceContext?

        @inlinable
        init(continuation: CheckedContinuation<Value?, any Error>, deadline: NIODeadline?, trace: ServiceContext?) {
            self.continuation = continuation
            self.deadline = deadline
            self.trace = trace
        }
    }

    @usableFromInline let state: NIOLockedValueBox<State>
    @usableFromInline let fetch: Fetch
    @usableFromInline let batchStarts: AsyncStream<BatchQueue<Key>.Batch>
    @usableFromInline let batchStartsInput: AsyncStream<BatchQueue<Key>.Batch>.Continuation
    @usableFromInline let logger: Logger
    @usableFromInline let metrics: BatchMetrics
    @usableFromInline let name: String
    /// Runs the timer that starts a batch beside slow ones when no request comes to do it.
    @usableFromInline let timerLoop: any EventLoop
    /// Runs a batch and those queued after it, compiled for `Key` and `Value`. ``run()`` is
    /// reached through the `Service` witness, which is generic code: the batches it ran itself
    /// looked up generic metadata and copied waiters through value witnesses (~3 % of the data
    /// service's CPU under POST load). Made in the inlinable init, this closure is compiled in
    /// the module that names the types.
    @usableFromInline let batchRunner: @Sendable (StatementBatcher, BatchQueue<Key>.Batch) async -> Void

    /// A batcher with `settings`' limits.
    /// - Parameters:
    ///   - name: the statement's name in metrics and logs (`statement="<name>"`), e.g. `user_reads`;
    ///     see ``BatchMetrics``.
    ///   - fetch: runs one batch; it may run concurrently with others when
    ///     ``BatchSettings/maximumConcurrentBatches`` is above one.
    @inlinable
    public convenience init(name: String, settings: BatchSettings, logger: Logger, fetch: @escaping Fetch) {
        self.init(
            name: name, maximumBatchSize: settings.maximumBatchSize, maximumConcurrentBatches: settings.maximumConcurrentBatches,
            slowBatchAge: settings.slowBatchAge, logger: logger, fetch: fetch)
    }

    /// A batcher of at most `maximumBatchSize` keys per statement and
    /// `maximumConcurrentBatches` statements at once (both positive) besides those running
    /// longer than `slowBatchAge` (nil: none), reporting to `metricsFactory` (the bootstrapped
    /// one unless a test brings its own).
    @inlinable
    public init(
        name: String, maximumBatchSize: Int, maximumConcurrentBatches: Int, slowBatchAge: Duration? = nil, logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory, fetch: @escaping Fetch
    ) {
        let slowNanoseconds = slowBatchAge.map { UInt64(max(0, TimeAmount($0).nanoseconds)) }
        state = NIOLockedValueBox(
            State(
                queue: BatchQueue(
                    maximumBatchSize: maximumBatchSize, maximumConcurrentBatches: maximumConcurrentBatches,
                    slowBatchAge: slowNanoseconds)))
        timerLoop = MultiThreadedEventLoopGroup.singleton.any()
        batchRunner = { batcher, batch in await batcher.runBatches(startingWith: batch) }
        self.fetch = fetch
        self.name = name
        var logger = logger
        logger[metadataKey: "statement"] = "\(name)"
        self.logger = logger
        metrics = BatchMetrics(statement: name, factory: metricsFactory)
        (batchStarts, batchStartsInput) = AsyncStream.makeStream()
    }

    /// The result for `key`, or nil when there is none. The statement runs until the latest
    /// deadline of the requests it serves, so it stops once all of them gave up.
    ///
    /// - Throws: the batch's error; `cancelled` when the calling task is cancelled (at once,
    ///   even while its batch runs); `unavailable` once the batcher has shut down.
    @inlinable
    public func submit(_ key: Key, deadline: NIODeadline? = nil) async throws(RPCError) -> Value? {
        let waiter = state.withLockedValue { state in
            defer { state.nextWaiter &+= 1 }
            return state.nextWaiter
        }
        let trace = ServiceContext.current
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    enqueue(key, Waiter(continuation: continuation, deadline: deadline, trace: trace), id: waiter)
                }
            } onCancel: {
                cancel(waiter, key: key)
            }
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.internal, "batched statement failed: \(error)")
        }
    }

    /// Runs batches until graceful shutdown.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                for await batch in batchStarts {
                    group.addTask { await self.batchRunner(self, batch) }
                }
            } onGracefulShutdown: {
                self.stop()
            }
        }
    }

    // MARK: - Waiting

    @inlinable
    func enqueue(_ key: Key, _ waiter: Waiter, id: BatchQueue<Key>.WaiterID) {
        let now = NIODeadline.now().uptimeNanoseconds
        let decision = state.withLockedValue { state -> Decision in
            // The task's cancelled flag is set before its cancellation handler runs, so a caller
            // cancelled before this point is refused here, and one cancelled later finds its
            // continuation stored when the handler takes the lock.
            if Task.isCancelled { return .refuse(Self.cancelled) }
            if state.isStopped { return .refuse(RPCError.unavailable("the service is shutting down")) }
            state.waiting[id] = waiter
            if let batch = state.queue.enqueue(key, waiter: id, now: now) { return .start(batch) }
            return .wait(slowTimer: state.slowTimerDeadline(now: now))
        }
        switch decision {
        case .wait(let slowTimer): if let slowTimer { armSlowTimer(at: slowTimer) }
        case .start(let batch): start(batch)
        case .refuse(let error): waiter.continuation.resume(throwing: error)
        }
    }

    @usableFromInline
    enum Decision {
        case wait(slowTimer: UInt64?)
        case start(BatchQueue<Key>.Batch)
        case refuse(RPCError)
    }

    /// At `deadline` a running batch turns slow: if requests still wait then, they start a
    /// batch beside it (a request arriving meanwhile would have done so itself).
    @inlinable
    func armSlowTimer(at deadline: UInt64) {
        timerLoop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) {
            let now = NIODeadline.now().uptimeNanoseconds
            let (batch, next) = self.state.withLockedValue { state -> (BatchQueue<Key>.Batch?, UInt64?) in
                state.isSlowTimerArmed = false
                guard !state.isStopped else { return (nil, nil) }
                return (state.queue.startBesideSlowBatches(now: now), state.slowTimerDeadline(now: now))
            }
            if let batch { self.start(batch) }
            if let next { self.armSlowTimer(at: next) }
        }
    }

    @inlinable
    func cancel(_ waiter: BatchQueue<Key>.WaiterID, key: Key) {
        let continuation = state.withLockedValue { state in
            _ = state.queue.cancel(waiter, key: key)
            return state.waiting.removeValue(forKey: waiter)
        }
        continuation?.continuation.resume(throwing: Self.cancelled)
    }

    @usableFromInline
    static var cancelled: RPCError { RPCError(.cancelled, "call cancelled") }

    /// Hands `batch` to ``run()``; after shutdown (the batch was taken from the queue just
    /// before ``stop()`` emptied it) its requests are refused like the queued ones.
    @inlinable
    func start(_ batch: BatchQueue<Key>.Batch) {
        guard case .terminated = batchStartsInput.yield(batch) else { return }
        let waiters = state.withLockedValue { state in batch.waiters.compactMap { state.waiting.removeValue(forKey: $0.waiter) } }
        for waiter in waiters { waiter.continuation.resume(throwing: RPCError.unavailable("the service is shutting down")) }
    }

    func stop() {
        let continuations = state.withLockedValue { state in
            state.isStopped = true
            return state.queue.removeAll().compactMap { state.waiting.removeValue(forKey: $0) }
        }
        batchStartsInput.finish()
        for waiter in continuations {
            waiter.continuation.resume(throwing: RPCError.unavailable("the service is shutting down"))
        }
    }

    // MARK: - Batches

    /// Runs `first`, then the batches queued meanwhile, until the queue is empty.
    @inlinable
    func runBatches(startingWith first: BatchQueue<Key>.Batch) async {
        var batch = first
        while true {
            await run(batch)
            let now = NIODeadline.now().uptimeNanoseconds
            let (next, slowTimer) = state.withLockedValue { state in
                (state.queue.batchFinished(batch, now: now), state.slowTimerDeadline(now: now))
            }
            if let slowTimer { armSlowTimer(at: slowTimer) }
            guard let next else { return }
            batch = next
        }
    }

    @inlinable
    func run(_ batch: BatchQueue<Key>.Batch) async {
        let (deadline, traces) = state.withLockedValue { state in
            let waiters = batch.waiters.compactMap { state.waiting[$0.waiter] }
            return (Self.latestDeadline(waiters), waiters.compactMap(\.trace))
        }
        let result: Result<[Key: Value], RPCError>
        let started = NIODeadline.now()
        do throws(RPCError) {
            if traces.isEmpty {
                result = .success(try await fetch(batch.keys, deadline))
            } else {
                result = .success(try await traced(batch, traces: traces, deadline: deadline))
            }
        } catch {
            logger.debug("batched statement failed", metadata: ["keys": "\(batch.keys.count)", "error": "\(error)"])
            metrics.failures.increment()
            result = .failure(error)
        }
        metrics.duration.recordNanoseconds((NIODeadline.now() - started).nanoseconds)
        metrics.requests.record(batch.waiters.count)
        if batch.isBesideSlowBatches { metrics.slowStarts.increment() }
        if batch.waiters.count > 1 { metrics.coalesced.increment(by: batch.waiters.count - 1) }
        if case .success(let rows) = result { metrics.rows.record(rows.count) }
        // Callers that gave up meanwhile were already answered and are no longer waiting.
        let answers = state.withLockedValue { state in
            batch.waiters.compactMap { entry in state.waiting.removeValue(forKey: entry.waiter).map { (entry.key, $0) } }
        }
        switch result {
        case .success(let rows):
            for (key, waiter) in answers { waiter.continuation.resume(returning: rows[key]) }
        case .failure(let error):
            for (_, waiter) in answers { waiter.continuation.resume(throwing: error) }
        }
    }

    /// Runs the batch in the first traced request's context, with every traced request it serves
    /// for its statement's span to link to.
    @inlinable
    func traced(_ batch: BatchQueue<Key>.Batch, traces: [ServiceContext], deadline: NIODeadline?) async throws(RPCError) -> [Key: Value] {
        var context = traces[0]
        context.statementBatch = StatementBatchTrace(requests: traces, keys: batch.keys.count, waiters: batch.waiters.count)
        let result = await ServiceContext.$current.withValue(context) { () async -> Result<[Key: Value], RPCError> in
            do throws(RPCError) {
                return .success(try await fetch(batch.keys, deadline))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Nil (no limit) if any waiter set none.
    @inlinable
    static func latestDeadline(_ waiters: [Waiter]) -> NIODeadline? {
        var latest = NIODeadline.uptimeNanoseconds(0)
        for waiter in waiters {
            guard let deadline = waiter.deadline else { return nil }
            latest = max(latest, deadline)
        }
        return latest
    }
}
