/// The server side of one connection, without I/O: it decides what each arriving frame and
/// each local event means, and the channel handler carries the decision out.
public struct ServerConnectionStateMachine: Sendable {
    public enum State: Sendable, Equatable {
        case awaitingHello
        /// Hello answered with a challenge; only the client's proof may come next.
        case awaitingProof
        case active
        /// GOAWAY sent: calls up to `lastCallID` finish, later ones are refused.
        case draining(lastCallID: UInt32)
        case closed
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Answer the client's hello; when `thenCatalog`, the connection is established and the
        /// catalog follows at once.
        case sendHello(Hello, thenCatalog: Bool)
        /// The client proved itself: send the catalog; calls may follow.
        case sendCatalog
        /// Refuse the peer (e.g. wrong version) with a GOAWAY carrying the reason, then close.
        case rejectConnection(GoAway)
        /// The peer did not prove it knows the secret: close without a word to it (the reason
        /// is for the log), so an unauthenticated peer learns nothing and can call nothing.
        case refuseUnauthenticated(reason: String)
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
    private let secret: RPCSecret?
    private let serverNonce: [UInt8]
    private var clientNonce: [UInt8] = []

    /// - Parameters:
    ///   - secret: when set, a client must prove it knows it before anything else is accepted.
    ///   - serverNonce: this connection's challenge; fresh random bytes for every connection.
    public init(maximumConcurrentCalls: Int, secret: RPCSecret? = nil, serverNonce: [UInt8] = HandshakeProof.makeNonce()) {
        self.maximumConcurrentCalls = maximumConcurrentCalls
        self.secret = secret
        self.serverNonce = serverNonce
    }

    /// The handshake (and authentication, if required) is complete.
    public var isEstablished: Bool {
        switch state {
        case .active, .draining: true
        case .awaitingHello, .awaitingProof, .closed: false
        }
    }

    /// - Parameters:
    ///   - hello: the parsed payload of a hello frame.
    ///   - proof: the payload of an authenticate frame.
    public mutating func received(_ type: FrameType, callID: UInt32, hello: Hello? = nil, proof: [UInt8]? = nil) -> Action {
        switch (state, type) {
        case (.closed, _):
            return .none
        case (.awaitingHello, .hello):
            guard let hello, hello.version == Hello.currentVersion else {
                state = .closed
                let version = hello.map { String($0.version) } ?? "unknown"
                return .rejectConnection(
                    GoAway(
                        lastCallID: 0, status: .failedPrecondition,
                        message: "unsupported protocol version \(version); this server speaks version \(Hello.currentVersion)"))
            }
            guard let secret else {
                state = .active
                return .sendHello(Hello(nonce: serverNonce), thenCatalog: true)
            }
            state = .awaitingProof
            clientNonce = hello.nonce
            let proof = HandshakeProof.make(.server, secret: secret, clientNonce: hello.nonce, serverNonce: serverNonce)
            return .sendHello(Hello(nonce: serverNonce, proof: proof), thenCatalog: false)
        case (.awaitingHello, _):
            state = .closed
            return .close(reason: "expected hello, got \(type)")
        case (.awaitingProof, .authenticate):
            state = .closed
            guard let secret, let proof,
                HandshakeProof.isValid(proof, .client, secret: secret, clientNonce: clientNonce, serverNonce: serverNonce)
            else { return .refuseUnauthenticated(reason: "wrong proof (the client's RPC secret differs, or the proof was replayed)") }
            state = .active
            return .sendCatalog
        case (.awaitingProof, _):
            state = .closed
            return .refuseUnauthenticated(reason: "\(type) frame before authenticating")
        case (_, .hello):
            state = .closed
            return .close(reason: "second hello")
        case (_, .authenticate):
            state = .closed
            return .close(reason: secret == nil ? "authenticate frame, but this server has no RPC secret" : "second authenticate frame")
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
        case (_, .response), (_, .goAway), (_, .catalog):
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

    /// Stop taking calls, finish the ones in flight: on graceful shutdown, and for a
    /// connection left idle (`message` tells the client which).
    public mutating func beginDrain(message: String = "server is shutting down") -> Action {
        switch state {
        case .awaitingHello, .awaitingProof:
            state = .closed
            return .close(reason: message)
        case .active:
            state = .draining(lastCallID: highestCallID)
            let goAway = GoAway(lastCallID: highestCallID, status: .unavailable, message: message)
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
