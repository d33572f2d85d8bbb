import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// One established, handshaken connection to one server address. Safe to call from any task:
/// the work is handed to the channel's event loop.
final class ClientConnection: Sendable {
    /// Why the connection's owner should act: it closed, or it should be replaced.
    enum Ending: Sendable {
        case closed
        /// The call ids are running out: open a fresh connection, then `retire()` this one.
        case retiring
    }

    let address: SocketAddress
    let channel: any Channel
    /// What the server announced it serves, by wire name.
    let servedMethods: Set<String>
    private let handler: NIOLoopBound<ClientConnectionHandler>
    /// Calls ever started here; 64 bits, so it cannot wrap. Ids come from it via `callIDSpace`.
    private let callCount = Atomic<UInt64>(0)
    private let callIDSpace: CallIDSpace
    private let ending: EventLoopPromise<Ending>
    private let onUnusable: @Sendable (ClientConnection?, _ reason: String, _ cause: ConnectionStopCause) -> Void
    private let onRetiring: @Sendable () -> Void
    /// Calls started and not yet answered: what the balancer compares.
    let outstanding = Atomic<Int>(0)
    /// The same, summed over the address's connections, for metrics.
    private let load: EndpointLoad
    private let usable = Atomic<Bool>(true)

    private init(
        address: SocketAddress, channel: any Channel, servedMethods: Set<String>, handler: NIOLoopBound<ClientConnectionHandler>,
        callIDSpace: CallIDSpace, load: EndpointLoad, onRetiring: @escaping @Sendable () -> Void,
        onUnusable: @escaping @Sendable (ClientConnection?, _ reason: String, _ cause: ConnectionStopCause) -> Void
    ) {
        self.address = address
        self.load = load
        self.channel = channel
        self.servedMethods = servedMethods
        self.handler = handler
        self.callIDSpace = callIDSpace
        self.onUnusable = onUnusable
        self.onRetiring = onRetiring
        self.eventLoopID = ObjectIdentifier(channel.eventLoop)
        self.ending = channel.eventLoop.makePromise()
        let ending = self.ending
        channel.closeFuture.whenComplete { _ in ending.succeed(.closed) }
    }

    /// Completes once, with whichever comes first: the close or the request to be replaced.
    func ended() async -> Ending {
        (try? await ending.futureResult.get()) ?? .closed
    }

    var isUsable: Bool { usable.load(ordering: .relaxed) && channel.isActive }

    /// The loop doing the connection's I/O, compared with the caller's when picking.
    let eventLoopID: ObjectIdentifier

    /// Connects on `eventLoop` (which then does all of the connection's I/O) and completes the
    /// handshake, or throws within `configuration.connectTimeout`. `onRetiring` runs, in the
    /// caller's task, when the call ids start running out and a replacement is due (before
    /// ``ended()`` says so, which callers may outrun); `onUnusable` runs when the connection stops
    /// taking calls (GOAWAY, call ids used up, close).
    static func connect(
        to address: SocketAddress,
        on eventLoop: any EventLoop,
        configuration: RPCClientConfiguration,
        load: EndpointLoad,
        logger: Logger,
        onRetiring: @escaping @Sendable () -> Void,
        onUnusable: @escaping @Sendable (ClientConnection?, _ reason: String, _ cause: ConnectionStopCause) -> Void
    ) async throws -> ClientConnection {
        let handshake = eventLoop.makePromise(of: MethodCatalog.self)
        // The connection object exists only after the handshake; a GOAWAY or close that comes
        // earlier is remembered here so the new connection starts out unusable.
        let connectionBox = NIOLockedValueBox<(connection: ClientConnection?, unusableEarly: Bool)>((nil, false))
        let events = ClientConnectionHandler.Events(handshake: handshake) { reason, cause in
            let connection = connectionBox.withLockedValue { box in
                if box.connection == nil { box.unusableEarly = true }
                return box.connection
            }
            connection?.usable.store(false, ordering: .relaxed)
            onUnusable(connection, reason, cause)
        }
        let isTCP = address.protocol != .unix
        let timeout = TimeAmount(configuration.connectTimeout)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if isTCP { try channel.syncOptions?.setOption(.tcpOption(.tcp_nodelay), value: 1) }
                    let handler = ClientConnectionHandler(
                        maximumFrameSize: configuration.maximumFrameSize,
                        keepaliveInterval: configuration.keepaliveInterval,
                        secret: configuration.secret,
                        events: events, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: address).get()
        } catch {
            handshake.fail(error)
            throw error
        }
        let handshakeTimeout = eventLoop.scheduleTask(in: timeout) {
            handshake.fail(RPCError(.unavailable, "handshake with \(address) timed out", wasProcessed: false))
        }
        let catalog: MethodCatalog
        do {
            catalog = try await handshake.futureResult.get()
            handshakeTimeout.cancel()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self), eventLoop: channel.eventLoop)
        }.get()
        let connection = ClientConnection(
            address: address, channel: channel, servedMethods: Set(catalog.methods), handler: handler,
            callIDSpace: configuration.callIDSpace, load: load, onRetiring: onRetiring, onUnusable: onUnusable)
        let unusableEarly = connectionBox.withLockedValue { box in
            box.connection = connection
            return box.unusableEarly
        }
        if unusableEarly || !channel.isActive { connection.usable.store(false, ordering: .relaxed) }
        return connection
    }

    /// Sends one request frame (built by `writeBody` after the head) and waits for the answer.
    func call(
        method: String, flags: FrameFlags, metadata: RPCMetadata, timeout: Duration, bodySize: Int = 0,
        writeBody: (inout ByteBuffer) throws -> Void
    ) async throws -> RawResponse {
        let callID: UInt32
        switch callIDSpace.verdict(forCallNumber: callCount.wrappingAdd(1, ordering: .relaxed).newValue) {
        case .use(let id):
            callID = id
        case .useAndRetire(let id):
            callID = id
            onRetiring()
            ending.succeed(.retiring)
        case .exhausted:
            // Out of rotation at once, so the retry waits for the replacement instead of
            // picking this connection again.
            if usable.exchange(false, ordering: .relaxed) { onUnusable(self, "call ids exhausted", .retired) }
            throw RPCError(
                .unavailable, "connection to \(address) has used all its call ids; a fresh one is being opened", wasProcessed: false)
        }
        var frame = channel.allocator.buffer(capacity: 128 + bodySize)
        let head = RequestHead(method: method, timeoutNanoseconds: UInt64(max(0, TimeAmount(timeout).nanoseconds)), metadata: metadata)
        try frame.writeFrame(type: .request, flags: flags, callID: callID) { buffer in
            try head.write(to: &buffer)
            try writeBody(&buffer)
        }
        outstanding.add(1, ordering: .relaxed)
        load.began()
        defer {
            outstanding.subtract(1, ordering: .relaxed)
            load.ended()
        }
        let handler = self.handler
        let sendable = frame
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                handler.eventLoop.execute {
                    handler.value.startCall(callID, frame: sendable, timeout: timeout, continuation: continuation)
                }
            }
        } onCancel: {
            handler.eventLoop.execute {
                handler.value.expire(callID, status: .cancelled, message: "call cancelled by the caller")
            }
        }
    }

    /// Its replacement is ready: no new calls here; it closes once the outstanding ones end.
    func retire() {
        usable.store(false, ordering: .relaxed)
        let handler = self.handler
        handler.eventLoop.execute { handler.value.retire() }
    }

    func close() {
        usable.store(false, ordering: .relaxed)
        channel.close(promise: nil)
    }
}
