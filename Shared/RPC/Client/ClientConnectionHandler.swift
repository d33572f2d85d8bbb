import Logging
import NIOCore

/// The response to one call as it came off the wire: flags, status and (when ok) the body.
struct RawResponse: Sendable {
    var flags: FrameFlags
    var head: ResponseHead
    var body: ByteBuffer
}

/// The I/O half of a client connection: handshake, writing requests (flushed once per
/// event-loop turn), matching responses to waiting callers, deadlines, keepalive, GOAWAY.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct PendingCall {
        var continuation: CheckedContinuation<RawResponse, any Error>
        var deadlineTimer: Scheduled<Void>?
    }

    /// What the connection tells its owner about its life.
    struct Events: Sendable {
        /// Handshake finished (or failed).
        var handshake: EventLoopPromise<MethodCatalog>
        /// The connection must not take new calls any more (GOAWAY or closed).
        var unusable: @Sendable (_ reason: String, _ cause: ConnectionStopCause) -> Void
    }

    private var decoder: NIOSingleStepByteToMessageProcessor<FrameDecoder>
    private var stateMachine: ClientConnectionStateMachine<PendingCall>
    private let events: Events
    private let keepaliveInterval: Duration
    private var keepaliveTask: RepeatedTask?
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    private var highestStartedCallID: UInt32 = 0
    private var cancelledBeforeStart: Set<UInt32> = []
    private var reportedUnusable = false
    private let logger: Logger

    init(maximumFrameSize: Int, keepaliveInterval: Duration, secret: RPCSecret?, events: Events, logger: Logger) {
        stateMachine = ClientConnectionStateMachine(secret: secret)
        decoder = NIOSingleStepByteToMessageProcessor(
            FrameDecoder(maximumFrameSize: maximumFrameSize),
            maximumBufferSize: maximumFrameSize + Frame.lengthPrefixSize + 64 * 1024)
        self.events = events
        self.keepaliveInterval = keepaliveInterval
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { sendHello(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendHello(context: context)
        context.fireChannelActive()
    }

    private func sendHello(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        let hello = stateMachine.hello
        buffer.writeFrame(type: .hello, callID: 0) { hello.write(to: &$0) }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepaliveTask?.cancel()
        events.handshake.fail(RPCError(.unavailable, "connection closed during handshake", wasProcessed: false))
        reportUnusable("connection closed", cause: .failed)
        for pending in stateMachine.connectionClosed() {
            pending.deadlineTimer?.cancel()
            pending.continuation.resume(
                throwing: RPCError(.unavailable, "connection to \(peer) closed before the response arrived", connectionLost: true))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("RPC client connection error", metadata: ["peer": "\(peer)", "error": "\(error)"])
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try decoder.process(buffer: unwrapInboundIn(data)) { frame in
                try self.handle(frame, context: context)
            }
        } catch {
            logger.warning("closing RPC connection", metadata: ["peer": "\(peer)", "reason": "\(error)"])
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded()
        context.fireChannelReadComplete()
    }

    private func handle(_ frame: Frame, context: ChannelHandlerContext) throws {
        switch frame.type {
        case .hello:
            switch stateMachine.receivedHello(try Hello(from: frame.payload)) {
            case .awaitCatalog(let proof):
                if let proof { write { $0.writeFrame(type: .authenticate, callID: 0) { $0.writeBytes(proof) } } }
            case .fail(let error):
                events.handshake.fail(error)
                context.close(promise: nil)
            }
        case .response:
            guard let pending = stateMachine.receivedResponse(frame.callID) else { return }
            pending.deadlineTimer?.cancel()
            var payload = frame.payload
            do {
                let head = try ResponseHead(from: &payload)
                pending.continuation.resume(returning: RawResponse(flags: frame.flags, head: head, body: payload))
            } catch {
                pending.continuation.resume(throwing: RPCError(.internal, "malformed response: \(error)"))
                throw error
            }
            closeIfDone()
        case .goAway:
            let goAway = try GoAway(from: frame.payload)
            if stateMachine.state == .handshaking || stateMachine.state == .awaitingCatalog {
                // A refusal before the handshake carries the reason (e.g. a version mismatch).
                events.handshake.fail(RPCError(goAway.status, goAway.message, wasProcessed: false))
            }
            reportUnusable("server sent GOAWAY: \(goAway.message)", cause: .serverLeaving)
            let (refused, closeNow) = stateMachine.receivedGoAway(goAway)
            for pending in refused {
                pending.deadlineTimer?.cancel()
                pending.continuation.resume(throwing: RPCError(.unavailable, "server is draining", wasProcessed: false))
            }
            if closeNow { context.close(promise: nil) }
        case .pong:
            stateMachine.receivedPong()
        case .ping:
            var payload = frame.payload
            write { $0.writeFrame(type: .pong, callID: 0) { $0.writeBuffer(&payload) } }
        case .catalog:
            guard stateMachine.receivedCatalog() else { throw FrameError.protocolViolation("unexpected catalog frame") }
            var payload = frame.payload
            let catalog = try MethodCatalog(wire: &payload)
            startKeepalive(context: context)
            events.handshake.succeed(catalog)
        case .request, .cancel, .authenticate:
            throw FrameError.protocolViolation("server sent a \(frame.type) frame")
        }
    }

    // MARK: Calls (always on the event loop)

    func startCall(
        _ callID: UInt32, frame: ByteBuffer, timeout: Duration,
        continuation: CheckedContinuation<RawResponse, any Error>
    ) {
        highestStartedCallID = max(highestStartedCallID, callID)
        if cancelledBeforeStart.remove(callID) != nil {
            continuation.resume(throwing: RPCError(.cancelled, "call cancelled", wasProcessed: false))
            return
        }
        guard let context else {
            continuation.resume(throwing: RPCError(.unavailable, "connection is closed", wasProcessed: false))
            return
        }
        var pending = PendingCall(continuation: continuation)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        pending.deadlineTimer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            handler.value.expire(callID, status: .deadlineExceeded, message: "deadline of \(timeout) exceeded")
        }
        if let (refused, error) = stateMachine.startCall(callID, pending: pending) {
            refused.deadlineTimer?.cancel()
            refused.continuation.resume(throwing: error)
            return
        }
        write(frame)
    }

    /// The caller stopped waiting: answer it now and tell the server to stop working.
    func expire(_ callID: UInt32, status: RPCStatusCode, message: String) {
        guard let pending = stateMachine.cancelCall(callID) else {
            if callID > highestStartedCallID { cancelledBeforeStart.insert(callID) }
            return
        }
        pending.deadlineTimer?.cancel()
        pending.continuation.resume(throwing: RPCError(status, message))
        write { $0.writeFrame(type: .cancel, callID: callID) { _ in } }
        closeIfDone()
    }

    /// A fresh connection took over: no new calls here; close once the outstanding ones end.
    func retire() {
        // Reported as no failure: a retired connection closing is no sign of a bad address.
        reportUnusable("retired: its call ids are running out", cause: .retired)
        if stateMachine.retire() { context?.close(promise: nil) }
    }

    // MARK: Keepalive

    private func startKeepalive(context: ChannelHandlerContext) {
        let interval = TimeAmount(keepaliveInterval)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        keepaliveTask = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            handler.value.keepaliveTick()
        }
    }

    private func keepaliveTick() {
        switch stateMachine.keepaliveTick() {
        case .none:
            break
        case .sendPing:
            write { $0.writeFrame(type: .ping, callID: 0) { $0.writeInteger(UInt64(0)) } }
        case .closeUnresponsive:
            logger.warning("RPC peer did not answer keepalive; closing", metadata: ["peer": "\(peer)"])
            context?.close(promise: nil)
        }
    }

    // MARK: Helpers

    private var peer: String { context?.channel.remoteAddress.map { "\($0)" } ?? "unknown" }

    private func closeIfDone() {
        if stateMachine.state == .closed { context?.close(promise: nil) }
    }

    private func reportUnusable(_ reason: String, cause: ConnectionStopCause) {
        guard !reportedUnusable else { return }
        reportedUnusable = true
        events.unusable(reason, cause)
    }

    private func write(_ encode: (inout ByteBuffer) -> Void) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 16)
        encode(&buffer)
        write(buffer)
    }

    /// Requests from many callers arriving in one event-loop turn leave in one syscall.
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
