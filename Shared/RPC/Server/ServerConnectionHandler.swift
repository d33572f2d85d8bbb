import Logging
import NIOCore

/// The I/O half of a server connection: turns bytes into frames, asks the state machine what
/// they mean, runs each call in its own task and writes responses, flushing once per batch.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Hello and authenticate frames are under 64 bytes: before the handshake is through, a
    /// peer may not make the server buffer more than this, whatever the frame limit.
    static let handshakeBufferLimit = 1024

    private struct RunningCall {
        var task: Task<Void, Never>?
        var deadlineTimer: Scheduled<Void>?
        /// Set once a response went out (or the client gave up), so none is written twice.
        var answeredWith: RPCStatusCode?
        let context: RPCCallContext
    }

    private let dispatcher: RPCCallDispatcher
    private var decoder: NIOSingleStepByteToMessageProcessor<FrameDecoder>
    private var stateMachine: ServerConnectionStateMachine
    private var timeouts: ServerConnectionTimeouts
    private var timeoutTick: RepeatedTask?
    /// Running totals the timeout tick reads; counting is all the hot path does for it.
    private var framesDecoded: UInt64 = 0
    private var callsFinished: UInt64 = 0
    private let connectionMetrics: ServerConnectionMetrics
    private var calls: [UInt32: RunningCall] = [:]
    private var logger: Logger
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    private var remoteAddress: SocketAddress?

    init(dispatcher: RPCCallDispatcher, configuration: RPCServerConfiguration, metrics: ServerConnectionMetrics, logger: Logger) {
        self.dispatcher = dispatcher
        self.decoder = NIOSingleStepByteToMessageProcessor(
            FrameDecoder(maximumFrameSize: configuration.maximumFrameSize),
            maximumBufferSize: configuration.maximumFrameSize + Frame.lengthPrefixSize + 64 * 1024)
        self.stateMachine = ServerConnectionStateMachine(
            maximumConcurrentCalls: configuration.maximumConcurrentCallsPerConnection, secret: configuration.secret)
        self.timeouts = ServerConnectionTimeouts(
            limits: ServerConnectionTimeouts.Limits(
                handshake: TimeAmount(configuration.handshakeTimeout), idle: TimeAmount(configuration.idleTimeout),
                frame: TimeAmount(configuration.frameTimeout)),
            openedAt: .now())
        self.connectionMetrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        remoteAddress = context.channel.remoteAddress
        logger[metadataKey: "peer"] = "\(remoteAddress.map { "\($0)" } ?? "unknown")"
        if context.channel.isActive { startTimeoutTick(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeoutTick?.cancel()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimeoutTick(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        do {
            try decoder.process(buffer: bytes) { frame in
                try self.handle(frame, context: context)
            }
        } catch {
            closeConnection(reason: "\(error)")
            return
        }
        if !stateMachine.isEstablished, decoder.unprocessedBytes > Self.handshakeBufferLimit {
            closeConnection(reason: "\(decoder.unprocessedBytes) bytes buffered before the handshake finished")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeoutTick?.cancel()
        stateMachine.closed()
        for (callID, var call) in calls where call.answeredWith == nil {
            call.answeredWith = .cancelled
            call.task?.cancel()
            calls[callID] = call
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeConnection(reason: "transport error: \(error)")
    }

    // MARK: Timeouts

    private func startTimeoutTick(context: ChannelHandlerContext) {
        guard timeoutTick == nil else { return }
        let interval = timeouts.limits.tickInterval
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timeoutTick = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            handler.value.timeoutTickFired()
        }
    }

    private func timeoutTickFired() {
        let observation = ServerConnectionTimeouts.Observation(
            established: stateMachine.isEstablished, framesDecoded: framesDecoded, callsFinished: callsFinished,
            partialFrame: decoder.unprocessedBytes > 0, callsInFlight: stateMachine.inFlightCalls.count)
        guard let expiry = timeouts.tick(now: .now(), observation) else { return }
        timeoutTick?.cancel()
        connectionMetrics.recordTimeout(expiry)
        switch expiry {
        case .handshake:
            closeConnection(reason: "no complete handshake within \(timeouts.limits.handshake)")
        case .frame:
            closeConnection(reason: "a frame stalled: incomplete after \(timeouts.limits.frame)")
        case .idle:
            // A GOAWAY first, so a call the client is sending right now is refused as never
            // run (retryable) rather than lost with the connection.
            logger.info("closing idle RPC connection", metadata: ["idle-timeout": "\(timeouts.limits.idle)"])
            apply(stateMachine.beginDrain(message: "connection idle for \(timeouts.limits.idle)"))
        }
    }

    // MARK: Frames

    private func handle(_ frame: Frame, context: ChannelHandlerContext) throws {
        framesDecoded &+= 1
        let action: ServerConnectionStateMachine.Action
        switch frame.type {
        case .hello:
            action = stateMachine.received(.hello, callID: frame.callID, hello: try Hello(from: frame.payload))
        case .authenticate:
            action = stateMachine.received(.authenticate, callID: frame.callID, proof: Array(frame.payload.readableBytesView))
        default:
            action = stateMachine.received(frame.type, callID: frame.callID)
        }
        switch action {
        case .none:
            break
        case .sendHello(let hello, let thenCatalog):
            write { $0.writeFrame(type: .hello, callID: 0) { hello.write(to: &$0) } }
            if thenCatalog { writeCatalog() }
        case .sendCatalog:
            writeCatalog()
        case .refuseUnauthenticated(let reason):
            connectionMetrics.recordAuthenticationFailure()
            logger.warning("RPC peer failed authentication; closing", metadata: ["reason": "\(reason)"])
            context.close(promise: nil)
        case .rejectConnection(let goAway):
            logger.warning("refusing RPC connection", metadata: ["reason": "\(goAway.message)"])
            write { $0.writeFrame(type: .goAway, callID: 0) { goAway.write(to: &$0) } }
            flushIfNeeded()
            context.close(promise: nil)
        case .startCall(let callID):
            try startCall(callID, frame: frame, context: context)
        case .refuseCall(let callID, let status, let message, let processed):
            writeError(callID: callID, flags: processed ? [] : .notProcessed, RPCError(status, message))
        case .cancelCall(let callID):
            markAnswered(callID, status: .cancelled)
        case .sendPong:
            var payload = frame.payload
            write { $0.writeFrame(type: .pong, callID: 0) { $0.writeBuffer(&payload) } }
        case .close(let reason):
            closeConnection(reason: "protocol violation: \(reason)")
        case .sendGoAway:
            closeConnection(reason: "protocol violation: unexpected \(frame.type) frame")
        }
    }

    private func writeCatalog() {
        let catalog = dispatcher.catalogPayload
        write { $0.writeFrame(type: .catalog, callID: 0) { $0.writeImmutableBuffer(catalog) } }
    }

    private func startCall(_ callID: UInt32, frame: Frame, context: ChannelHandlerContext) throws {
        var body = frame.payload
        let head = try RequestHead(from: &body)
        guard let method = dispatcher.method(named: head.method) else {
            // Not processed: a client that sent it here anyway (its catalog was not consulted)
            // may retry on an instance that serves it.
            writeError(callID: callID, flags: .notProcessed, RPCError(.unimplemented, "unknown method \(head.method)"))
            apply(stateMachine.callFinished(callID))
            return
        }
        let now = NIODeadline.now()
        let deadline = head.timeoutNanoseconds == 0 ? nil : now + .nanoseconds(Int64(clamping: head.timeoutNanoseconds))
        let callContext = RPCCallContext(
            method: head.method, callID: callID, metadata: head.metadata, deadline: deadline,
            remoteAddress: remoteAddress, logger: logger)
        let encoding = PayloadEncoding(flags: frame.flags)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let dispatcher = self.dispatcher
        var call = RunningCall(context: callContext)
        call.task = Task {
            let result: Result<ByteBuffer, any Error>
            do {
                // Framed here, while this task holds the only reference to the body: in place,
                // not copied, and the event loop only writes bytes.
                var response = try await dispatcher.invoke(method, body: body, encoding: encoding, context: callContext)
                ResponseFraming.frame(&response.buffer, callID: callID, flags: encoding.frameFlags)
                result = .success(response.buffer)
            } catch {
                result = .failure(error)
            }
            handler.eventLoop.execute { handler.value.finishCall(callID, flags: encoding.frameFlags, result: result) }
        }
        if let deadline {
            call.deadlineTimer = context.eventLoop.scheduleTask(deadline: deadline) {
                handler.value.deadlinePassed(callID, flags: encoding.frameFlags)
            }
        }
        calls[callID] = call
    }

    private func finishCall(_ callID: UInt32, flags: FrameFlags, result: Result<ByteBuffer, any Error>) {
        guard let call = calls.removeValue(forKey: callID) else { return }
        callsFinished &+= 1
        call.deadlineTimer?.cancel()
        if call.answeredWith == nil {
            switch result {
            case .success(let frame):
                write(frame)
            case .failure(let error):
                let rpcError = RPCCallDispatcher.rpcError(for: error, context: call.context)
                if rpcError.code == .internal, !(error is RPCError) {
                    logger.error(
                        "unexpected error in RPC handler",
                        metadata: ["method": "\(call.context.method)", "error": "\(String(reflecting: error))"])
                }
                // A handler that refused before doing anything (say, its database is not ready
                // yet) lets the client retry the call elsewhere, as for a draining server.
                writeError(callID: callID, flags: rpcError.wasProcessed ? flags : flags.union(.notProcessed), rpcError)
            }
        }
        apply(stateMachine.callFinished(callID))
    }

    private func deadlinePassed(_ callID: UInt32, flags: FrameFlags) {
        guard let call = calls[callID], call.answeredWith == nil else { return }
        writeError(callID: callID, flags: flags, RPCError(.deadlineExceeded, "deadline exceeded in \(call.context.method)"))
        markAnswered(callID, status: .deadlineExceeded)
    }

    private func markAnswered(_ callID: UInt32, status: RPCStatusCode) {
        guard var call = calls[callID], call.answeredWith == nil else { return }
        call.answeredWith = status
        call.task?.cancel()
        calls[callID] = call
    }

    // MARK: Drain and close

    func beginDrain() {
        apply(stateMachine.beginDrain())
    }

    private func apply(_ action: ServerConnectionStateMachine.Action) {
        switch action {
        case .sendGoAway(let goAway, let thenClose):
            write { $0.writeFrame(type: .goAway, callID: 0) { goAway.write(to: &$0) } }
            flushIfNeeded()
            if thenClose { context?.close(promise: nil) }
        case .close:
            flushIfNeeded()
            context?.close(promise: nil)
        default:
            break
        }
    }

    private func closeConnection(reason: String) {
        guard let context else { return }
        if stateMachine.state != .closed || context.channel.isActive {
            logger.warning("closing RPC connection", metadata: ["reason": "\(reason)"])
        }
        stateMachine.closed()
        context.close(promise: nil)
    }

    // MARK: Writing

    private func writeError(callID: UInt32, flags: FrameFlags, _ error: RPCError) {
        write { buffer in
            buffer.writeFrame(type: .response, flags: flags, callID: callID) {
                ResponseHead(status: error.code, message: error.message).write(to: &$0)
            }
        }
    }

    private func write(_ encode: (inout ByteBuffer) -> Void) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        encode(&buffer)
        write(buffer)
    }

    /// Writes now, flushes once per event-loop turn: responses finishing together share a syscall.
    private func write(_ buffer: ByteBuffer) {
        guard let context else { return }
        context.write(wrapOutboundOut(buffer), promise: nil)
        guard !flushScheduled else { return }
        flushScheduled = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute { handler.value.flushIfNeeded() }
    }

    private func flushIfNeeded() {
        guard flushScheduled, let context else { return }
        flushScheduled = false
        context.flush()
    }
}
