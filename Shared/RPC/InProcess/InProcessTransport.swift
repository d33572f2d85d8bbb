public import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// A client and a server in one process, joined without sockets: what tests use when they are
/// not about the network. Calls still go through everything but the bytes on a socket: both
/// sides' interceptors, the payload codec (requests and responses are encoded and decoded),
/// the deadline (a handler still running at it is cancelled and the caller gets
/// `deadlineExceeded`) and cancellation (a caller that stops waiting cancels the handler).
///
/// ```swift
/// let transport = InProcessTransport()
/// let server = RPCServer(transport: transport.server, router: router, serviceName: "greeter")
/// let client = RPCClient(transport: transport.client, logger: logger)
/// ```
/// Run both as services; calls made before the server listens fail as `unavailable`, not
/// processed (retried, so a client started alongside its server waits for it).
public struct InProcessTransport: Sendable {
    public let server: Server
    public let client: Client

    public init(logger: Logger = Logger(label: "rpc.in-process")) {
        let link = Link()
        server = Server(link: link)
        client = Client(link: link, logger: logger)
    }

    /// The server's end: serves the dispatcher it is given until shutdown.
    public struct Server: RPCServerTransport {
        fileprivate let link: Link

        public func listen(_ dispatcher: RPCCallDispatcher) async throws {
            link.open(dispatcher)
            do {
                try await gracefulShutdown()
                await link.drain()
            } catch {
                link.close()
            }
        }
    }

    /// The client's end: sends each call to the server's dispatcher.
    public struct Client: RPCClientTransport {
        fileprivate let link: Link
        fileprivate let logger: Logger

        public func run() async throws {
            try? await gracefulShutdown()
        }

        public var readyConnectionCount: Int { link.isOpen ? 1 : 0 }

        public var description: String { "in-process" }

        public func send(_ request: RPCClientRequest) async throws -> RPCClientResponse {
            guard let (dispatcher, callID) = link.startCall() else {
                throw RPCError(.unavailable, "the in-process server is not serving", wasProcessed: false)
            }
            defer { link.finishCall() }
            guard let method = dispatcher.method(named: request.method) else {
                throw RPCError(.unimplemented, "unknown method \(request.method)", wasProcessed: false)
            }
            let remaining = request.deadline - .now
            guard remaining > .zero else {
                throw RPCError(.deadlineExceeded, "deadline exceeded before \(request.method) was sent", wasProcessed: false)
            }
            let context = RPCCallContext(
                method: request.method, callID: callID, metadata: request.metadata, deadline: .now() + TimeAmount(remaining),
                remoteAddress: nil, logger: logger)
            let outcome = await withTaskGroup(of: Result<RPCEncodedResponse, any Error>?.self) { group in
                group.addTask {
                    do {
                        return .success(
                            try await dispatcher.invoke(method, body: request.body, encoding: request.encoding, context: context))
                    } catch {
                        return .failure(error)
                    }
                }
                group.addTask {
                    try? await Task.sleep(until: request.deadline, clock: .continuous)
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            switch outcome {
            case .success(let response):
                return RPCClientResponse(body: response.buffer, encoding: request.encoding)
            case .failure(let error):
                // What a socket would carry: the status, the message and whether the handler ran.
                let error = RPCCallDispatcher.rpcError(for: error, context: context)
                throw RPCError(error.code, error.message, wasProcessed: error.wasProcessed)
            case nil:
                if Task.isCancelled { throw RPCError(.cancelled, "call cancelled by the caller") }
                throw RPCError(.deadlineExceeded, "deadline exceeded in \(request.method)")
            }
        }
    }

    /// What the two ends share: the dispatcher while the server serves, and the calls in flight
    /// so a graceful shutdown waits for them.
    fileprivate final class Link: Sendable {
        private struct State {
            var dispatcher: RPCCallDispatcher?
            var inFlight = 0
            var nextCallID: UInt32 = 0
            var drained: [CheckedContinuation<Void, Never>] = []
        }

        private let state = NIOLockedValueBox(State())

        var isOpen: Bool { state.withLockedValue { $0.dispatcher != nil } }

        func open(_ dispatcher: RPCCallDispatcher) {
            state.withLockedValue { $0.dispatcher = dispatcher }
        }

        func startCall() -> (RPCCallDispatcher, UInt32)? {
            state.withLockedValue { state in
                guard let dispatcher = state.dispatcher else { return nil }
                state.inFlight += 1
                state.nextCallID &+= 1
                return (dispatcher, state.nextCallID)
            }
        }

        func finishCall() {
            let waiters = state.withLockedValue { state in
                state.inFlight -= 1
                guard state.inFlight == 0, state.dispatcher == nil else { return [CheckedContinuation<Void, Never>]() }
                defer { state.drained.removeAll() }
                return state.drained
            }
            for waiter in waiters { waiter.resume() }
        }

        /// Refuses new calls at once, without waiting for those in flight.
        func close() {
            state.withLockedValue { $0.dispatcher = nil }
        }

        /// Refuses new calls, then returns once the calls in flight have finished.
        func drain() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLockedValue { state in
                    state.dispatcher = nil
                    guard state.inFlight > 0 else { return true }
                    state.drained.append(continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        }
    }
}
