public import Metrics
import NIOConcurrencyHelpers
import NIOCore
public import ServiceLifecycle

/// Admits work up to an ``AdaptiveConcurrencyLimit``, holds a short queue for bursts, and
/// refuses the rest at once, so that past saturation the service behind keeps serving at its
/// best rate with bounded latency and the excess is told to come back (503 with `Retry-After`)
/// instead of waiting until it times out.
///
/// The queue is last in, first out, as Netflix's `LifoBlockingLimiter`: under sustained
/// overload the newest requests, whose clients are still waiting, are the ones served, and the
/// oldest run out their `queueTimeout` and are refused. Taking a permit when the limit allows is
/// one lock and no allocation; only a request that has to wait suspends.
public final class ConcurrencyLimiter: Service, Sendable {
    public struct Configuration: Sendable, Equatable {
        public var limit: AdaptiveConcurrencyLimit.Configuration
        /// Requests that may wait for a permit; 0 refuses at once whatever cannot run.
        public var queueSize: Int
        public var queueTimeout: Duration

        public init(limit: AdaptiveConcurrencyLimit.Configuration, queueSize: Int, queueTimeout: Duration) {
            self.limit = limit
            self.queueSize = max(0, queueSize)
            self.queueTimeout = queueTimeout
        }
    }

    public typealias Permit = AdaptiveConcurrencyLimit.Permit

    /// Why a request was not let in, the `reason` of the refusals metric.
    public enum Refusal: String, Sendable {
        case queueFull = "queue_full"
        case queueTimeout = "queue_timeout"
    }

    private struct Waiter {
        let id: UInt64
        let deadline: UInt64
        let continuation: CheckedContinuation<Permit?, Never>
    }

    private struct State {
        var limit: AdaptiveConcurrencyLimit
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        /// Sweeps ``run()`` has made on its timer (for tests).
        var timerSweeps = 0
    }

    public let configuration: Configuration
    private let state: NIOLockedValueBox<State>
    private let queueTimeoutNanoseconds: UInt64
    private let limitGauge: Gauge
    private let inFlightGauge: Gauge
    private let queuedGauge: Meter
    private let refusedQueueFull: Counter
    private let refusedQueueTimeout: Counter
    /// One element each time the queue goes from empty to one waiter: ``run()`` sweeps only
    /// while someone waits, so an idle service sets no timer.
    private let queueStarted: AsyncStream<Void>
    private let queueStartedContinuation: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - metricPrefix: names the metrics, e.g. `edge_upstream` gives
    ///     `edge_upstream_concurrency_limit`, `…_in_flight`, `…_queued` and `…_refused_total{reason}`.
    ///   - dimensions: added to each, e.g. the route.
    ///   - metricsFactory: where they are recorded; the process's metrics system unless a test says otherwise.
    public init(
        configuration: Configuration, metricPrefix: String, dimensions: [(String, String)] = [],
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.configuration = configuration
        let now = NIODeadline.now().uptimeNanoseconds
        state = NIOLockedValueBox(State(limit: AdaptiveConcurrencyLimit(configuration: configuration.limit, now: now)))
        queueTimeoutNanoseconds = AdaptiveConcurrencyLimit.Configuration.nanoseconds(configuration.queueTimeout)
        limitGauge = Gauge(label: "\(metricPrefix)_concurrency_limit", dimensions: dimensions, factory: metricsFactory)
        inFlightGauge = Gauge(label: "\(metricPrefix)_in_flight", dimensions: dimensions, factory: metricsFactory)
        queuedGauge = Meter(label: "\(metricPrefix)_queued", dimensions: dimensions, factory: metricsFactory)
        refusedQueueFull = Counter(
            label: "\(metricPrefix)_refused_total", dimensions: dimensions + [("reason", Refusal.queueFull.rawValue)],
            factory: metricsFactory)
        refusedQueueTimeout = Counter(
            label: "\(metricPrefix)_refused_total", dimensions: dimensions + [("reason", Refusal.queueTimeout.rawValue)],
            factory: metricsFactory)
        limitGauge.record(configuration.limit.initialLimit)
        (queueStarted, queueStartedContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// What ``admit()`` decided without waiting.
    public enum Admission: Sendable, Equatable {
        case admitted(Permit)
        /// Under the limit there is no place, in the queue there is: ``acquire()`` waits for one.
        case mustWait
        /// Neither: refused, and counted as such.
        case refused
    }

    /// Decides at once, without suspending: under overload most requests are refused here, so
    /// a refusal must cost no more than a lock (a caller on an event loop answers it in place,
    /// with no task, where refusals used to cost the edge 55 µs each and starve its loop).
    public func admit() -> Admission {
        let now = NIODeadline.now().uptimeNanoseconds
        let (admission, inFlight) = state.withLockedValue { state -> (Admission, Int) in
            if let permit = state.limit.tryAcquire(now: now) { return (.admitted(permit), state.limit.inFlight) }
            return (state.waiters.count < configuration.queueSize ? .mustWait : .refused, state.limit.inFlight)
        }
        switch admission {
        case .admitted: inFlightGauge.record(inFlight)
        case .refused: refusedQueueFull.increment()
        case .mustWait: break
        }
        return admission
    }

    /// A permit, at once or after waiting in the queue, or nil: the request is refused.
    public func acquire() async -> Permit? {
        switch admit() {
        case .admitted(let permit): return permit
        case .refused: return nil
        case .mustWait:
            let now = NIODeadline.now().uptimeNanoseconds
            return await withCheckedContinuation { continuation in
                enqueue(continuation, now: now)
            }
        }
    }

    /// What became of a request that went to the queue.
    private enum Enqueued {
        /// A permit came free since ``admit()``.
        case admitted(Permit, inFlight: Int)
        /// The queue filled up since.
        case refused
        /// Queued; `first` when the queue was empty before.
        case waiting(first: Bool)
    }

    private func enqueue(_ continuation: CheckedContinuation<Permit?, Never>, now: UInt64) {
        var expired: [Waiter] = []
        let outcome = state.withLockedValue { state -> Enqueued in
            expired = Self.takeExpired(&state.waiters, now: now)
            if let permit = state.limit.tryAcquire(now: now) { return .admitted(permit, inFlight: state.limit.inFlight) }
            guard state.waiters.count < configuration.queueSize else { return .refused }
            state.nextWaiterID &+= 1
            let first = state.waiters.isEmpty
            state.waiters.append(
                Waiter(id: state.nextWaiterID, deadline: now &+ queueTimeoutNanoseconds, continuation: continuation))
            return .waiting(first: first)
        }
        refuse(expired)
        switch outcome {
        case .admitted(let permit, let inFlight):
            inFlightGauge.record(inFlight)
            continuation.resume(returning: permit)
        case .refused:
            refusedQueueFull.increment()
            continuation.resume(returning: nil)
        case .waiting(let first):
            queuedGauge.increment()
            if first { queueStartedContinuation.yield() }
        }
    }

    /// Ends the work a permit let in and hands the free places to the newest waiters.
    /// - Parameter measured: false when the time says nothing about the service behind (see
    ///   ``AdaptiveConcurrencyLimit/release(_:now:measured:)``).
    public func release(_ permit: Permit, measured: Bool) {
        let now = NIODeadline.now().uptimeNanoseconds
        var expired: [Waiter] = []
        var admitted: [(Waiter, Permit)] = []
        let (limit, inFlight) = state.withLockedValue { state -> (Int, Int) in
            state.limit.release(permit, now: now, measured: measured)
            if !state.waiters.isEmpty {
                expired = Self.takeExpired(&state.waiters, now: now)
                while let waiter = state.waiters.last, let next = state.limit.tryAcquire(now: now) {
                    state.waiters.removeLast()
                    admitted.append((waiter, next))
                }
            }
            return (state.limit.limit, state.limit.inFlight)
        }
        limitGauge.record(limit)
        inFlightGauge.record(inFlight)
        refuse(expired)
        for (waiter, next) in admitted {
            queuedGauge.decrement()
            waiter.continuation.resume(returning: next)
        }
    }

    /// Refuses the waiters whose time in the queue is up, even when nothing finishes to wake
    /// them (the service behind stalled): ``run()`` calls it on a timer.
    public func refuseExpired() {
        let now = NIODeadline.now().uptimeNanoseconds
        let expired = state.withLockedValue { Self.takeExpired(&$0.waiters, now: now) }
        refuse(expired)
    }

    /// ``refuseExpired()`` for ``run()``'s timer, under the same lock: counts the sweep and
    /// returns whether anyone still waits.
    private func sweep() -> Bool {
        let now = NIODeadline.now().uptimeNanoseconds
        let (expired, stillWaiting) = state.withLockedValue { state in
            state.timerSweeps += 1
            return (Self.takeExpired(&state.waiters, now: now), !state.waiters.isEmpty)
        }
        refuse(expired)
        return stillWaiting
    }

    /// While anyone waits in the queue, sweeps it every half queue timeout; with the queue
    /// empty it sets no timer (a 25 ms sweep woke every idle data service and edge 40 times a
    /// second). Runs until shutdown; placed before the server that uses the limiter in a service
    /// group, it keeps sweeping while that server drains. It runs without a queue too: a
    /// service that returns early stops its whole group.
    public func run() async {
        let interval = max(configuration.queueTimeout / 2, .milliseconds(1))
        await cancelWhenGracefulShutdown {
            for await _ in self.queueStarted {
                repeat {
                    do { try await Task.sleep(for: interval) } catch { return }
                } while self.sweep()
            }
        }
    }

    /// How many times ``run()`` has swept the queue on its timer.
    var timerSweeps: Int { state.withLockedValue { $0.timerSweeps } }

    /// The oldest waiters are at the front, and deadlines grow with the position.
    private static func takeExpired(_ waiters: inout [Waiter], now: UInt64) -> [Waiter] {
        guard let first = waiters.first, first.deadline <= now else { return [] }
        let end = waiters.firstIndex { $0.deadline > now } ?? waiters.endIndex
        let expired = Array(waiters[..<end])
        waiters.removeSubrange(..<end)
        return expired
    }

    private func refuse(_ expired: [Waiter]) {
        for waiter in expired {
            queuedGauge.decrement()
            refusedQueueTimeout.increment()
            waiter.continuation.resume(returning: nil)
        }
    }

    /// The limit, requests in flight and waiting now, for tests and the admin page.
    public var snapshot: (limit: Int, inFlight: Int, queued: Int) {
        state.withLockedValue { ($0.limit.limit, $0.limit.inFlight, $0.waiters.count) }
    }
}
