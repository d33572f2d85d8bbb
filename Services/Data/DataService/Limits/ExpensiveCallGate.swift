import Metrics
import MicropostsModels
import NIOConcurrencyHelpers
import NIOCore
import RPC

/// Admits expensive calls (those no index answers cheaply) up to a limit per caller and a
/// limit for everyone, and refuses the rest at once: a refused call costs a lock and a
/// dictionary lookup, where a queued one would hold an RPC slot and then a connection anyway.
/// Cheap calls never come here, so they pay nothing for it.
final class ExpensiveCallGate: Sendable {
    let perCaller: Int
    let total: Int

    private struct State {
        var running = 0
        var byCaller: [String: Int] = [:]
    }

    private enum Refusal { case caller, total }

    private let state = NIOLockedValueBox(State())
    private let inFlight = Meter(label: "data_expensive_calls_in_flight")
    private let refusedPerCaller = Counter(label: "data_expensive_calls_refused_total", dimensions: [("limit", "per_user")])
    private let refusedTotal = Counter(label: "data_expensive_calls_refused_total", dimensions: [("limit", "global")])

    init(perCaller: Int, total: Int) {
        self.perCaller = perCaller
        self.total = total
    }

    /// Runs `body` if `caller` and everyone together are under their limits.
    ///
    /// A caller at its own limit gets `resourceExhausted` (the worker's 429: that user should
    /// slow down); a full gate gets `unavailable`, which a client may retry on another data
    /// instance, whose pool is its own.
    func run<Result>(caller: String, _ body: () async throws -> Result) async throws -> Result {
        try admit(caller)
        defer { release(caller) }
        return try await body()
    }

    func admit(_ caller: String) throws(RPCError) {
        let refusal = state.withLockedValue { state -> Refusal? in
            let mine = state.byCaller[caller, default: 0]
            if mine >= perCaller { return .caller }
            if state.running >= total { return .total }
            state.byCaller[caller] = mine + 1
            state.running += 1
            return nil
        }
        switch refusal {
        case nil:
            inFlight.increment()
        case .caller:
            refusedPerCaller.increment()
            throw RPCError(
                .resourceExhausted,
                "at most \(perCaller) searches or timelines at once per user; wait for the running ones to finish")
        case .total:
            refusedTotal.increment()
            throw RPCError.unavailable("too many searches and timelines running (at most \(total)); retry shortly")
        }
    }

    /// Ends a call ``admit(_:)`` let in.
    func release(_ caller: String) {
        state.withLockedValue { state in
            state.running -= 1
            let left = state.byCaller[caller, default: 1] - 1
            // Dropped at zero, so the table holds only callers with calls running.
            state.byCaller[caller] = left > 0 ? left : nil
        }
        inFlight.decrement()
    }

    /// Calls counted now, for tests.
    var running: Int { state.withLockedValue { $0.running } }
}

extension RPCCallContext {
    /// Whom an expensive call is counted against: the user the caller names in the metadata
    /// (the worker sends the authenticated user), else the calling address, so a client that
    /// names nobody shares one allowance per address rather than escaping the limit.
    var costCaller: String {
        if let user = metadata.caller, !user.isEmpty { return "user:" + user }
        return "address:" + (remoteAddress?.ipAddress ?? remoteAddress.map { "\($0)" } ?? "unknown")
    }
}
