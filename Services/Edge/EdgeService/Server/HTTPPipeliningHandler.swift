import Metrics
import NIOCore
import NIOHTTP1

/// Sits between NIO's request decoder and ``HTTPConnectionHandler`` in place of NIO's
/// `HTTPServerPipelineHandler` and response encoder: carries out what ``HTTPPipeline``
/// decides, writes each response as one buffer (``HTTP1ResponseEncoder``; a file or a large
/// body follows it), and closes a connection whose client takes none of its responses for the
/// send timeout.
final class HTTPPipeliningHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = EdgeResponse
    typealias OutboundOut = IOData

    private var pipeline: HTTPPipeline<NIOAny>
    private let sendTimeout: TimeAmount
    private let metrics: EdgeMetrics
    /// A delivery loop is running further up the stack: it picks up whatever became
    /// deliverable, so a response written from inside it does not start another.
    private var isDelivering = false
    private var sendTimer: Scheduled<Void>?
    /// The channel turned unwritable during a write: arm the send timer after the flush, so
    /// what the kernel takes at once does not pass for the client reading.
    private var sendTimerWanted = false
    /// Unsent bytes when the send timer was armed: fewer at expiry means the client read.
    private var unsentAtArming = 0
    private var respondedWhileStalled = false
    private var lingerTimer: Scheduled<Void>?
    /// Held for ``writeAndFlush(_:promise:)`` between `handlerAdded` and `handlerRemoved`.
    private var context: ChannelHandlerContext?
    /// How long a lingering connection (see ``HTTPPipeline/ResponseEndAction/linger``) waits
    /// for its client to close: nginx's `lingering_timeout`.
    static let lingerTimeout = TimeAmount.seconds(5)

    init(maximumQueuedRequests: Int, sendTimeout: Duration, metrics: EdgeMetrics) {
        self.pipeline = HTTPPipeline(maximumQueuedRequests: maximumQueuedRequests)
        self.sendTimeout = TimeAmount(sendTimeout)
        self.metrics = metrics
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let kind: HTTPPipeline<NIOAny>.PartKind =
            switch unwrapInboundIn(data) {
            case .head: .head
            case .body: .body
            case .end: .end
            }
        switch pipeline.received(kind, data) {
        case .deliver: context.fireChannelRead(data)
        case .hold: ()
        case .overflow: metrics.pipelineOverflows.increment()
        case .close: context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if pipeline.receivedError(error) == .deliver { context.fireErrorCaught(error) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let channelEvent as ChannelEvent where channelEvent == .inputClosed:
            switch pipeline.receivedInputClosed() {
            case .deliver: context.fireUserInboundEventTriggered(event)
            case .close: context.close(promise: nil)
            case .hold, .overflow: ()
            }
        case is ChannelShouldQuiesceEvent:
            if pipeline.quiesce() { context.close(promise: nil) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let isWritable = context.channel.isWritable
        pipeline.writabilityChanged(isWritable: isWritable)
        context.fireChannelWritabilityChanged()
        if isWritable {
            sendTimerWanted = false
            sendTimer?.cancel()
            sendTimer = nil
            deliverQueued(context: context)
        } else {
            metrics.writeBufferFull.increment()
            sendTimerWanted = true
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pipeline.close()
        cancelTimers()
        context.fireChannelInactive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    private func cancelTimers() {
        sendTimer?.cancel()
        sendTimer = nil
        lingerTimer?.cancel()
        lingerTimer = nil
    }

    // MARK: - Outbound

    /// How ``HTTPConnectionHandler``, the handler behind this one, hands over each response: a
    /// call rather than a write through the pipeline, which boxed the response (too large for
    /// `NIOAny`'s inline storage) and cast it back, about 2 % of a static request's CPU. It does
    /// what a write and a flush from the connection handler's context did.
    func writeAndFlush(_ response: EdgeResponse, promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        write(response, context: context, promise: promise)
        flush(context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        write(unwrapOutboundIn(data), context: context, promise: promise)
    }

    private func write(_ response: EdgeResponse, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        var response = response
        if sendTimer != nil { respondedWhileStalled = true }
        if pipeline.responseHeadWritten(isInformational: response.isInformational) { response.close() }
        let allocator = context.channel.allocator
        // The last write carries the promise: it completes once the whole response is written.
        let last: IOData
        switch response.body {
        case .bytes(var body) where body.readableBytes <= HTTP1ResponseEncoder.maximumMergedBody:
            var head = HTTP1ResponseEncoder.encodeHead(response, bodyCapacity: body.readableBytes, allocator: allocator)
            head.writeBuffer(&body)
            last = .byteBuffer(head)
        case .bytes(let body):
            context.write(wrapOutboundOut(.byteBuffer(Self.head(of: response, allocator: allocator))), promise: nil)
            last = .byteBuffer(body)
        case .file(let region, _):
            pipeline.responseBodyWritten(isFile: true)
            context.write(wrapOutboundOut(.byteBuffer(Self.head(of: response, allocator: allocator))), promise: nil)
            last = .fileRegion(region)
        case .empty:
            last = .byteBuffer(Self.head(of: response, allocator: allocator))
        }
        guard !response.isInformational else {
            context.write(wrapOutboundOut(last), promise: promise)
            return
        }
        switch pipeline.responseEndWritten() {
        case .proceed:
            context.write(wrapOutboundOut(last), promise: promise)
            deliverQueued(context: context)
        case .awaitWrite:
            let written = promise ?? context.eventLoop.makePromise()
            context.write(wrapOutboundOut(last), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in
                if self.pipeline.responseWriteCompleted() {
                    context.close(promise: nil)
                } else {
                    self.deliverQueued(context: context)
                }
            }
        case .close:
            let written = promise ?? context.eventLoop.makePromise()
            context.write(wrapOutboundOut(last), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .linger:
            let written = promise ?? context.eventLoop.makePromise()
            context.write(wrapOutboundOut(last), promise: written)
            written.futureResult.assumeIsolated().whenComplete { result in
                guard case .success = result else {
                    context.close(promise: nil)
                    return
                }
                context.close(mode: .output, promise: nil)
                self.lingerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerTimeout) {
                    context.close(promise: nil)
                }
                // Issues the held read: lingering reads, to discard.
                self.deliverQueued(context: context)
            }
        }
    }

    private static func head(of response: EdgeResponse, allocator: ByteBufferAllocator) -> ByteBuffer {
        HTTP1ResponseEncoder.encodeHead(response, allocator: allocator)
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        if sendTimerWanted {
            sendTimerWanted = false
            armSendTimer(context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        if pipeline.readRequested() { context.read() }
    }

    // MARK: - Delivery

    /// Hands out every queued event that may go now, iterating: a request answered
    /// synchronously writes its `.end` from inside `fireChannelRead`, which lands in `write`
    /// above and returns here rather than delivering the next one a stack level deeper.
    private func deliverQueued(context: ChannelHandlerContext) {
        guard !isDelivering else { return }
        isDelivering = true
        defer { isDelivering = false }
        var deliveredRead = false
        while let event = pipeline.next() {
            switch event {
            case .part(_, let message):
                context.fireChannelRead(message)
                deliveredRead = true
            case .error(let error):
                context.fireErrorCaught(error)
            case .inputClosed:
                context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            }
        }
        if deliveredRead { context.fireChannelReadComplete() }
        if pipeline.takePendingRead() { context.read() }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is UnsentResponseEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        armSendTimer(context: context)
        promise?.succeed()
    }

    // MARK: - Send timeout

    /// Armed while the channel is not writable, or when the connection handler's idle timer
    /// finds a response still going out. Like nginx's `send_timeout` it bounds the time
    /// between two writes that make progress, not the whole response.
    private func armSendTimer(context: ChannelHandlerContext) {
        guard sendTimer == nil else { return }
        unsentAtArming = unsentBytes(context: context)
        respondedWhileStalled = false
        sendTimer = context.eventLoop.assumeIsolated().scheduleTask(in: sendTimeout) {
            self.sendTimerExpired(context: context)
        }
    }

    private func sendTimerExpired(context: ChannelHandlerContext) {
        sendTimer = nil
        let unsent = unsentBytes(context: context)
        guard unsent > 0 else { return }
        // A response started meanwhile (the worker's answer to the request in hand) adds
        // bytes: it gets a period of its own rather than pass for a client taking nothing.
        if unsent < unsentAtArming || respondedWhileStalled {
            armSendTimer(context: context)
            return
        }
        metrics.sendTimeouts.increment()
        context.close(promise: nil)
    }

    private func unsentBytes(context: ChannelHandlerContext) -> Int {
        (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }
}

/// Sent outbound by ``HTTPConnectionHandler`` when its idle timer expires while response bytes
/// are still unsent: the connection is not idle, and whether the client still takes them is
/// the send timeout's to judge.
struct UnsentResponseEvent: Sendable {}
