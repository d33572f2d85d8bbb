import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// The connections a client can use right now, and the health of every server address.
/// Picking is power-of-two-choices on outstanding calls: two random ready connections, the
/// less busy one wins — near least-loaded balancing at constant cost.
final class ConnectionPool: Sendable {
    struct EndpointHealth {
        var consecutiveFailures = 0
        var isEjected = false
        var connecting = 0
        /// False until a first connection attempt ended: between resolution and the first
        /// attempt, calls must wait rather than fail as if the address were down.
        var hasBeenTried = false
        /// The address's last connection ended, or its last attempt failed. Calls do not wait
        /// for its reconnection: a server that went away (restart, outage) may leave its address
        /// unreachable, and a caller would wait out the whole connect timeout only to fail; it
        /// gets `unavailable` at once instead (which the edge and workers answer with 503 +
        /// Retry-After).
        var lostConnection = false
        /// A connection is up and its server answers its health call with `notServing`: not
        /// failing (nothing counts against the address), not ready either.
        var isNotServing = false
        var isRemoved = false
        /// Distinguishes an address that left and came back from its earlier life, so the
        /// connection loops of the earlier life stop.
        var generation: UInt64 = 0
    }

    private struct State {
        var ready: [ClientConnection] = []
        var endpoints: [SocketAddress: EndpointHealth] = [:]
        var resolvedOnce = false
        var lastError: String?
        /// Set when the last failure was a refused authentication, which callers must see as
        /// such (a configuration error), not as a server that is down.
        var lastErrorWasAuthentication = false
        var nextGeneration: UInt64 = 0
        var random = SplitMix64()
        /// Bumped on every change that can make a connection ready or waiting pointless.
        var version: UInt64 = 0
        /// Callers waiting for such a change (see ``waitForChange(since:until:)``).
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())
    let ejectionThreshold: Int
    private let metrics: EndpointMetrics

    init(ejectionThreshold: Int, metrics: EndpointMetrics) {
        self.ejectionThreshold = ejectionThreshold
        self.metrics = metrics
    }

    // MARK: Picking

    enum Pick {
        case connection(ClientConnection)
        /// No connection is ready.
        case noneReady
        /// Connections are ready, but none of their servers serves the method.
        case noneServes
    }

    /// Two random ready connections that serve `method`, the one with fewer outstanding calls,
    /// preferring one not at `avoided` (where the previous attempt went). Connections on the
    /// caller's event loop come first: the call's frames and its answer then stay on this thread,
    /// where a connection on another loop costs two thread hops per call.
    func pick(serving method: String, avoiding avoided: SocketAddress?) -> Pick {
        let callerLoop = MultiThreadedEventLoopGroup.currentEventLoop.map(ObjectIdentifier.init)
        return state.withLockedValue { state in
            if let callerLoop {
                let onThisLoop = state.ready.lazy.filter { $0.eventLoopID == callerLoop }
                if !onThisLoop.isEmpty,
                    case .connection(let local) = Self.pick(from: onThisLoop, serving: method, avoiding: avoided, random: &state.random),
                    avoided == nil || local.address != avoided
                {
                    return .connection(local)
                }
            }
            return Self.pick(from: state.ready, serving: method, avoiding: avoided, random: &state.random)
        }
    }

    private static func pick(
        from ready: some Collection<ClientConnection>, serving method: String, avoiding avoided: SocketAddress?, random: inout SplitMix64
    ) -> Pick {
        switch ready.count {
        case 0:
            return .noneReady
        case 1:
            let only = ready[ready.startIndex]
            return only.servedMethods.contains(method) ? .connection(only) : .noneServes
        default:
            let first = Int(random.next() % UInt64(ready.count))
            var second = Int(random.next() % UInt64(ready.count - 1))
            if second >= first { second += 1 }
            let a = ready[ready.index(ready.startIndex, offsetBy: first)]
            let b = ready[ready.index(ready.startIndex, offsetBy: second)]
            switch (a.servedMethods.contains(method), b.servedMethods.contains(method)) {
            case (true, true):
                break
            case (true, false):
                return .connection(a)
            case (false, true):
                return .connection(b)
            case (false, false):
                // A mixed fleet: pick among the connections whose server has the method.
                let serving = ready.filter { $0.servedMethods.contains(method) }
                guard !serving.isEmpty else { return .noneServes }
                return .connection(serving[Int(random.next() % UInt64(serving.count))])
            }
            if let avoided {
                if a.address == avoided, b.address != avoided { return .connection(b) }
                if b.address == avoided, a.address != avoided { return .connection(a) }
            }
            return .connection(a.outstanding.load(ordering: .relaxed) <= b.outstanding.load(ordering: .relaxed) ? a : b)
        }
    }

    /// The pool's version now: pass it to ``waitForChange(since:until:)`` after a `pick` that
    /// found nothing, so a change in between is not missed.
    var version: UInt64 { state.withLockedValue { $0.version } }

    /// Returns after the next change to the pool (a connection ready or lost, an attempt
    /// failed, new addresses) since `version`, at `deadline`, or when the task is cancelled:
    /// callers queue here instead of polling.
    func waitForChange(since version: UInt64, until deadline: ContinuousClock.Instant) async {
        let id = state.withLockedValue { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let alreadyChanged = self.state.withLockedValue { state in
                            guard state.version == version, !Task.isCancelled else { return true }
                            state.waiters[id] = continuation
                            return false
                        }
                        if alreadyChanged { continuation.resume() }
                    }
                } onCancel: {
                    self.state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
                }
            }
            // At most a day at a time: a clock far beyond the deadline would trap in the sleep,
            // and the caller waits again if nothing changed.
            let wait = min(deadline - .now, .seconds(86_400))
            group.addTask { try? await Task.sleep(for: wait) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Runs a change under the lock, then wakes every waiter.
    private func change<Result>(_ body: (inout State) -> Result) -> Result {
        let (result, waiters) = state.withLockedValue { state in
            let result = body(&state)
            publishEndpointStates(state)
            state.version &+= 1
            defer { state.waiters.removeAll() }
            return (result, Array(state.waiters.values))
        }
        for waiter in waiters { waiter.resume() }
        return result
    }

    /// Whether waiting can help: the first resolution or a connection attempt is under way.
    var mayBecomeReady: Bool {
        state.withLockedValue { state in
            !state.resolvedOnce
                || state.endpoints.values.contains { !$0.isRemoved && (!$0.hasBeenTried || ($0.connecting > 0 && !$0.lostConnection)) }
        }
    }

    var lastError: (reason: String, authentication: Bool)? {
        state.withLockedValue { state in state.lastError.map { ($0, state.lastErrorWasAuthentication) } }
    }

    var readyCount: Int { state.withLockedValue { $0.ready.count } }

    // MARK: Endpoints

    /// Installs the newest resolution; returns the addresses that are new and those gone.
    func update(addresses: [SocketAddress]) -> (added: [(SocketAddress, generation: UInt64)], removed: [ClientConnection]) {
        change { state in
            state.resolvedOnce = true
            let wanted = Set(addresses)
            var added: [(SocketAddress, generation: UInt64)] = []
            for address in addresses where state.endpoints[address] == nil || state.endpoints[address]?.isRemoved == true {
                state.nextGeneration += 1
                state.endpoints[address] = EndpointHealth(generation: state.nextGeneration)
                added.append((address, state.nextGeneration))
            }
            for (address, var health) in state.endpoints where !wanted.contains(address) && !health.isRemoved {
                health.isRemoved = true
                state.endpoints[address] = health
            }
            let removed = state.ready.filter { !wanted.contains($0.address) }
            state.ready.removeAll { !wanted.contains($0.address) }
            return (added, removed)
        }
    }

    /// A connection is up but its server is not serving yet: nothing counts against the
    /// address (it is not failing), but a caller that gives up waiting learns why. Returns true
    /// when the address was not known to be so, for one log line per change.
    func notServingYet(_ address: SocketAddress, reason: String) -> Bool {
        change { state in
            state.lastError = "\(address): \(reason)"
            state.lastErrorWasAuthentication = false
            guard state.endpoints[address]?.isNotServing == false else { return false }
            state.endpoints[address]?.isNotServing = true
            return true
        }
    }

    func resolutionFailed(_ reason: String) {
        change { state in
            state.resolvedOnce = true
            state.lastError = reason
            state.lastErrorWasAuthentication = false
        }
    }

    func isActive(_ address: SocketAddress, generation: UInt64) -> Bool {
        state.withLockedValue { state in
            state.endpoints[address].map { !$0.isRemoved && $0.generation == generation } ?? false
        }
    }

    func isEjected(_ address: SocketAddress) -> Bool {
        state.withLockedValue { $0.endpoints[address]?.isEjected ?? false }
    }

    func connectAttemptStarted(_ address: SocketAddress) {
        state.withLockedValue { state in
            state.endpoints[address]?.connecting += 1
            publishEndpointStates(state)
        }
    }

    /// Every address in ``EndpointMetrics``' states; called under the lock after each change.
    private func publishEndpointStates(_ state: State) {
        var counts = EndpointMetrics.Counts()
        for (address, health) in state.endpoints where !health.isRemoved {
            if health.isEjected {
                counts.ejected += 1
            } else if state.ready.contains(where: { $0.address == address }) {
                counts.ready += 1
            } else if health.isNotServing {
                counts.notServing += 1
            } else if health.connecting > 0 || !health.hasBeenTried {
                counts.connecting += 1
            } else {
                counts.down += 1
            }
        }
        metrics.publish(counts)
    }

    /// An attempt counted by ``connectAttemptStarted(_:)`` that will not be made: the client stopped.
    func connectAttemptAbandoned(_ address: SocketAddress) {
        change { $0.endpoints[address]?.connecting -= 1 }
    }

    /// A handshaken connection whose server is serving joins the rotation. `accepted` is false
    /// when the address was removed meanwhile; the caller closes the connection.
    func connectAttemptSucceeded(_ connection: ClientConnection) -> (accepted: Bool, wasEjected: Bool, wasNotServing: Bool) {
        change { state in
            guard var health = state.endpoints[connection.address] else { return (false, false, false) }
            health.connecting -= 1
            health.hasBeenTried = true
            let wasEjected = health.isEjected
            let wasNotServing = health.isNotServing
            // A connection the server sent GOAWAY before it took a call proves nothing about the
            // address: its report (``connectionUnusable(_:reason:cause:)``) stands.
            guard !health.isRemoved, connection.isUsable else {
                state.endpoints[connection.address] = health
                return (false, wasEjected, wasNotServing)
            }
            health.consecutiveFailures = 0
            health.lostConnection = false
            health.isEjected = false
            health.isNotServing = false
            state.endpoints[connection.address] = health
            state.ready.append(connection)
            return (true, wasEjected, wasNotServing)
        }
    }

    /// Returns true when this failure ejected the address.
    func connectAttemptFailed(_ address: SocketAddress, reason: String, authentication: Bool = false) -> Bool {
        change { state in
            state.endpoints[address]?.connecting -= 1
            state.endpoints[address]?.hasBeenTried = true
            // Another attempt at the address (a connection per event loop) may still succeed:
            // until the last one fails, calls wait for it rather than fail at once.
            // A connection still waiting for its server to serve is such an attempt too.
            if state.endpoints[address]?.connecting == 0 {
                state.endpoints[address]?.lostConnection = true
                state.endpoints[address]?.isNotServing = false
            }
            state.lastError = "\(address): \(reason)"
            state.lastErrorWasAuthentication = authentication
            return recordFailure(address, in: &state, threshold: ejectionThreshold)
        }
    }

    /// A connection stopped taking calls; a failure (not a GOAWAY, not a retirement) counts
    /// against its address. Returns true when this ejected the address.
    func connectionUnusable(_ connection: ClientConnection, reason: String, cause: ConnectionStopCause) -> Bool {
        change { state in
            state.ready.removeAll { $0 === connection }
            let address = connection.address
            let noneLeft = !state.ready.contains { $0.address == address }
            switch cause {
            case .failed:
                state.endpoints[address]?.lostConnection = true
            case .serverLeaving:
                // Even with a reconnection under way: after a drain the address may hang, and a
                // caller would wait out the connect timeout only to fail.
                if noneLeft { state.endpoints[address]?.lostConnection = true }
            case .retired:
                // Ran out of call ids while its replacement is being made, or was retired after
                // it: callers use the replacement, or wait for it, rather than fail.
                if noneLeft, state.endpoints[address]?.connecting == 0 { state.endpoints[address]?.lostConnection = true }
            }
            guard cause == .failed else { return false }
            state.lastError = "\(connection.address): \(reason)"
            state.lastErrorWasAuthentication = false
            return recordFailure(connection.address, in: &state, threshold: ejectionThreshold)
        }
    }

    /// Takes a connection out of rotation without counting anything against its address: its
    /// replacement is in, and it only finishes the calls it has.
    func retire(_ connection: ClientConnection) {
        state.withLockedValue { $0.ready.removeAll { $0 === connection } }
    }

    private func recordFailure(_ address: SocketAddress, in state: inout State, threshold: Int) -> Bool {
        guard var health = state.endpoints[address] else { return false }
        health.consecutiveFailures += 1
        let ejectNow = !health.isEjected && health.consecutiveFailures >= threshold
        if ejectNow {
            health.isEjected = true
            metrics.ejections.increment()
            state.ready.removeAll { $0.address == address }
        }
        state.endpoints[address] = health
        return ejectNow
    }

    func removeAll() -> [ClientConnection] {
        change { state in
            for address in state.endpoints.keys { state.endpoints[address]?.isRemoved = true }
            defer { state.ready.removeAll() }
            return state.ready
        }
    }
}
