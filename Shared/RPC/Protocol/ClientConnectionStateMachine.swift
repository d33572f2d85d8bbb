/// The client side of one connection, without I/O. `Pending` is whatever the handler needs to
/// complete a call later (a continuation and a timer); the state machine only hands it back.
public struct ClientConnectionStateMachine<Pending> {
    public enum State: Sendable, Equatable {
        case handshaking
        /// The server's hello was accepted; its catalog of methods comes next.
        case awaitingCatalog
        case ready
        /// No new calls — the server sent GOAWAY, or this client retired the connection;
        /// outstanding calls still complete.
        case goingAway
        case closed
    }

    public enum HelloAction: Sendable, Equatable {
        /// Wait for the catalog; `proof`, when set, must be sent in an authenticate frame.
        case awaitCatalog(proof: [UInt8]?)
        case fail(RPCError)
    }

    public enum KeepaliveAction: Sendable, Equatable {
        case none
        case sendPing
        case closeUnresponsive
    }

    public private(set) var state: State = .handshaking
    private var outstanding: [UInt32: Pending] = [:]
    private var awaitingPong = false
    private let secret: RPCSecret?
    /// This connection's challenge to the server, sent in the client's hello.
    public let clientNonce: [UInt8]

    /// - Parameter secret: when set, the server must prove it knows it and this client proves
    ///   it back; when nil, only a server that asks for no proof is accepted.
    public init(secret: RPCSecret? = nil, clientNonce: [UInt8] = HandshakeProof.makeNonce()) {
        self.secret = secret
        self.clientNonce = clientNonce
    }

    public var hello: Hello { Hello(nonce: clientNonce) }
    public var outstandingCount: Int { outstanding.count }
    public var canStartCalls: Bool { state == .ready }

    /// A failure here is a configuration error on one side or the other (or an impostor), not
    /// a passing fault: the messages say which setting to look at.
    public mutating func receivedHello(_ hello: Hello) -> HelloAction {
        guard state == .handshaking else {
            state = .closed
            return .fail(RPCError(.internal, "server sent a second hello"))
        }
        guard hello.version == Hello.currentVersion else {
            state = .closed
            return .fail(
                RPCError(
                    .failedPrecondition,
                    "server speaks protocol version \(hello.version); this client speaks version \(Hello.currentVersion)",
                    wasProcessed: false))
        }
        switch (secret, hello.proof.isEmpty) {
        case (nil, true):
            state = .awaitingCatalog
            return .awaitCatalog(proof: nil)
        case (nil, false):
            state = .closed
            return .fail(
                RPCError(
                    .unauthenticated,
                    "the server requires RPC authentication and this client has no secret: set --rpc-secret/RPC_SECRET to the servers' secret",
                    wasProcessed: false))
        case (.some, true):
            state = .closed
            return .fail(
                RPCError(
                    .unauthenticated,
                    "the server does not authenticate (it has no RPC secret) but this client has one: set the same --rpc-secret/RPC_SECRET on both",
                    wasProcessed: false))
        case (.some(let secret), false):
            guard HandshakeProof.isValid(hello.proof, .server, secret: secret, clientNonce: clientNonce, serverNonce: hello.nonce) else {
                state = .closed
                return .fail(
                    RPCError(
                        .unauthenticated,
                        "the server failed RPC authentication: its --rpc-secret/RPC_SECRET differs from this client's",
                        wasProcessed: false))
            }
            state = .awaitingCatalog
            return .awaitCatalog(proof: HandshakeProof.make(.client, secret: secret, clientNonce: clientNonce, serverNonce: hello.nonce))
        }
    }

    /// The server's catalog arrived: calls may start. False when it was not expected here.
    public mutating func receivedCatalog() -> Bool {
        guard state == .awaitingCatalog else {
            state = .closed
            return false
        }
        state = .ready
        return true
    }

    /// Registers a call about to be written, or gives `pending` back with the reason it cannot
    /// be sent. Such a call never left this process, so it may always be retried elsewhere.
    public mutating func startCall(_ callID: UInt32, pending: Pending) -> (Pending, RPCError)? {
        guard state == .ready else {
            return (pending, RPCError(.unavailable, "connection is \(state)", wasProcessed: false))
        }
        outstanding[callID] = pending
        return nil
    }

    /// The server answered; `nil` when the call already ended (cancelled or timed out).
    public mutating func receivedResponse(_ callID: UInt32) -> Pending? {
        let pending = outstanding.removeValue(forKey: callID)
        closeIfGoneAwayAndIdle()
        return pending
    }

    /// The caller gave up (cancellation or deadline); a cancel frame should follow if non-nil.
    public mutating func cancelCall(_ callID: UInt32) -> Pending? {
        let pending = outstanding.removeValue(forKey: callID)
        closeIfGoneAwayAndIdle()
        return pending
    }

    /// Calls above the server's last accepted id were never run: they are returned to be
    /// failed as retryable. Returns whether the connection can close right away.
    public mutating func receivedGoAway(_ goAway: GoAway) -> (refused: [Pending], closeNow: Bool) {
        var refused: [Pending] = []
        for callID in outstanding.keys where callID > goAway.lastCallID {
            if let pending = outstanding.removeValue(forKey: callID) { refused.append(pending) }
        }
        if state == .handshaking || state == .awaitingCatalog || state == .ready { state = .goingAway }
        return (refused, outstanding.isEmpty)
    }

    /// This client stops sending calls here (a fresh connection replaced it); the outstanding
    /// ones finish. Returns whether the connection can close right away.
    public mutating func retire() -> Bool {
        if state == .handshaking || state == .awaitingCatalog || state == .ready { state = .goingAway }
        closeIfGoneAwayAndIdle()
        return state == .closed
    }

    /// The transport is gone: every outstanding call fails.
    public mutating func connectionClosed() -> [Pending] {
        state = .closed
        let pending = Array(outstanding.values)
        outstanding.removeAll()
        return pending
    }

    public mutating func keepaliveTick() -> KeepaliveAction {
        guard state == .ready || state == .goingAway else { return .none }
        if awaitingPong {
            state = .closed
            return .closeUnresponsive
        }
        awaitingPong = true
        return .sendPing
    }

    public mutating func receivedPong() {
        awaitingPong = false
    }

    private mutating func closeIfGoneAwayAndIdle() {
        if state == .goingAway, outstanding.isEmpty { state = .closed }
    }
}
