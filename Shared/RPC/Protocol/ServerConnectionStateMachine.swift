/// The server side of one connection, without I/O: it decides what each arriving frame and
/// each local event means, and the channel handler carries the decision out.
public struct ServerConnectionStateMachine: Sendable {
    public enum State: Sendable, Equatable {
        case awaitingHello
        case active
        /// GOAWAY sent: calls up to `lastCallID` finish, later ones are refused.
        case draining(lastCallID: UInt32)
        case closed
    }

    public enum Action: Sendable, Equatable {
        case none
        case sendHello
        /// Refuse the peer (e.g. wrong version) with a GOAWAY carrying the reason, then close.
        case rejectConnection(GoAway)
        case startCall(callID: UInt32)
        /// Answer without running a handler. `processed: false` tells the client it may retry.
        case refuseCall(callID: UInt32, status: RPCStatusCode, message: String, processed: Bool)
        case cancelCall(callID: UInt32)
        case sendPong
        case sendGoAway(GoAway, thenClose: Bool)
        case close(reason: String)
    }

    public private(set) var state: State = .awaitingHello
    public private(set) var inFlightCalls: Set<UInt32> = []
    private var highestCallID: UInt32 = 0
    public let maximumConcurrentCalls: Int

    public init(maximumConcurrentCalls: Int) {
        self.maximumConcurrentCalls = maximumConcurrentCalls
    }

    public mutating func received(_ type: FrameType, callID: UInt32, hello: Hello? = nil) -> Action {
        switch (state, type) {
        case (.closed, _):
            return .none
        case (.awaitingHello, .hello):
            guard let hello, hello.version == Hello.currentVersion else {
                state = .closed
                let version = hello.map { String($0.version) } ?? "unknown"
                return .rejectConnection(GoAway(
                    lastCallID: 0, status: .failedPrecondition,
                    message: "unsupported protocol version \(version); this server speaks version \(Hello.currentVersion)"))
            }
            state = .active
            return .sendHello
        case (.awaitingHello, _):
            state = .closed
            return .close(reason: "expected hello, got \(type)")
        case (_, .hello):
            state = .closed
            return .close(reason: "second hello")
        case (.active, .request):
            // Ids are unique among running calls, not ordered: callers on different threads
            // take ids first and reach the connection's event loop in any order.
            guard callID != 0, !inFlightCalls.contains(callID) else {
                state = .closed
                return .close(reason: "call id \(callID) is zero or already running")
            }
            highestCallID = max(highestCallID, callID)
            guard inFlightCalls.count < maximumConcurrentCalls else {
                return .refuseCall(
                    callID: callID, status: .resourceExhausted,
                    message: "server is at its limit of \(maximumConcurrentCalls) concurrent calls per connection", processed: false)
            }
            inFlightCalls.insert(callID)
            return .startCall(callID: callID)
        case (.draining, .request):
            return .refuseCall(callID: callID, status: .unavailable, message: "server is draining", processed: false)
        case (_, .cancel):
            return inFlightCalls.contains(callID) ? .cancelCall(callID: callID) : .none
        case (_, .ping):
            return .sendPong
        case (_, .pong):
            return .none
        case (_, .response), (_, .goAway):
            state = .closed
            return .close(reason: "client sent a \(type) frame")
        }
    }

    /// The handler for `callID` returned (its response, if any, is already written).
    public mutating func callFinished(_ callID: UInt32) -> Action {
        inFlightCalls.remove(callID)
        if case .draining = state, inFlightCalls.isEmpty {
            state = .closed
            return .close(reason: "drained")
        }
        return .none
    }

    /// Graceful shutdown: stop taking calls, finish the ones in flight.
    public mutating func beginDrain() -> Action {
        switch state {
        case .awaitingHello:
            state = .closed
            return .close(reason: "server shutting down")
        case .active:
            state = .draining(lastCallID: highestCallID)
            let goAway = GoAway(lastCallID: highestCallID, status: .unavailable, message: "server is shutting down")
            if inFlightCalls.isEmpty {
                state = .closed
                return .sendGoAway(goAway, thenClose: true)
            }
            return .sendGoAway(goAway, thenClose: false)
        case .draining, .closed:
            return .none
        }
    }

    public mutating func closed() {
        state = .closed
    }
}
