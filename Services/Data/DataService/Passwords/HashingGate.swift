import Metrics
import NIOConcurrencyHelpers
import RPC

/// Admits password hashes: at most ``concurrency`` run at once, at most ``queueLimit`` more
/// wait, and any beyond that are refused at once with `unavailable` (the whole instance is
/// busy, not this caller: the worker answers 503, as for the global limit on expensive calls).
///
/// One hash is hundreds of milliseconds of CPU by design. Without a bound, a burst of
/// registrations or logins queues on the thread pool without limit: every login then waits
/// behind the whole burst (long after its caller gave up), and the hashes take every core
/// from the queries this process also serves. A short queue absorbs ordinary bursts; beyond
/// it a quick refusal (the worker answers 503 with `Retry-After`) is better than a slow one.
/// A waiting caller that is cancelled (its deadline passed) leaves the queue.
final class HashingGate: Sendable {
    static let defaultConcurrency = 2
    static let defaultQueueLimit = 32

    let concurrency: Int
    let queueLimit: Int

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var running = 0
        var waiting: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())
    private let runningGauge = Gauge(label: "password_hashes_running")
    private let waitingGauge = Gauge(label: "password_hashes_waiting")
    private let refusals = Counter(label: "password_hashes_refused_total")

    init(concurrency: Int = defaultConcurrency, queueLimit: Int = defaultQueueLimit) {
        precondition(concurrency > 0 && queueLimit >= 0, "a hashing gate needs at least one slot")
        self.concurrency = concurrency
        self.queueLimit = queueLimit
    }

    /// Runs `body` once a slot is free.
    /// - Throws: `unavailable` when the queue is full; `CancellationError` when the
    ///   caller is cancelled while waiting.
    func run<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// Hashes running and waiting now.
    var load: (running: Int, waiting: Int) {
        state.withLockedValue { ($0.running, $0.waiting.count) }
    }

    private enum Admission {
        case admitted(running: Int)
        case queued(UInt64, waiting: Int)
        case refused
    }

    private func acquire() async throws {
        try Task.checkCancellation()
        let admission: Admission = state.withLockedValue { state in
            if state.running < concurrency {
                state.running += 1
                return .admitted(running: state.running)
            }
            guard state.waiting.count < queueLimit else { return .refused }
            state.nextID += 1
            return .queued(state.nextID, waiting: state.waiting.count + 1)
        }
        switch admission {
        case .admitted(let running):
            runningGauge.record(running)
        case .refused:
            refusals.increment()
            throw RPCError(.unavailable, "password hashing is saturated; try again shortly")
        case .queued(let id, let waiting):
            waitingGauge.record(waiting)
            try await wait(id)
        }
    }

    /// The slot is reserved by ``acquire()`` only as a queue position; the continuation is
    /// stored under the same lock the cancellation handler takes. `Task.isCancelled` is set
    /// before that handler runs, so whichever takes the lock second sees the other's work.
    private func wait(_ id: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLockedValue { state in
                    if Task.isCancelled { return true }
                    state.waiting.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let removed: Waiter? = state.withLockedValue { state in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index)
            }
            removed?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Hands the slot straight to the longest waiter, if any, so a steady stream of new
    /// arrivals cannot overtake the queue.
    private func release() {
        let (next, running, waiting): (Waiter?, Int, Int) = state.withLockedValue { state in
            if state.waiting.isEmpty {
                state.running -= 1
                return (nil, state.running, 0)
            }
            return (state.waiting.removeFirst(), state.running, state.waiting.count)
        }
        runningGauge.record(running)
        waitingGauge.record(waiting)
        next?.continuation.resume()
    }
}
