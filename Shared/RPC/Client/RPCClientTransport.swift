public import NIOCore

/// Carries encoded calls to servers and their answers back. ``SocketClientTransport`` reaches
/// servers over TCP or Unix sockets (resolution, balancing, ejection, keepalive);
/// ``InProcessTransport`` reaches a server in the same process. Retries are not the
/// transport's: ``RPCClient`` retries in one place, above it.
public protocol RPCClientTransport: Sendable, CustomStringConvertible {
    /// Keeps the transport ready (addresses resolved, connections up) until cancelled or a
    /// graceful shutdown.
    func run() async throws
    /// Sends one attempt of a call. Fails with an `RPCError`: `wasProcessed` false when the
    /// server provably never ran the handler.
    func send(_ request: RPCClientRequest) async throws -> RPCClientResponse
    /// Connections that can take a call right now.
    var readyConnectionCount: Int { get }
    /// What the transport reaches, e.g. `dns://data:7102`: the `target` of the client's metrics.
    var description: String { get }
}

/// One call on its way out, as interceptors and transports see it.
public struct RPCClientRequest: Sendable {
    public let method: String
    public var metadata: RPCMetadata
    /// Whether the call may run twice harmlessly: decides retries after it may have reached a handler.
    public var isIdempotent: Bool
    /// When the caller stops waiting, on this process's clock.
    public var deadline: ContinuousClock.Instant
    /// The encoded request body.
    public let body: ByteBuffer
    public let encoding: PayloadEncoding
    /// The call being served that this one is made for, if any (``RPCCallOptions/onBehalfOf``).
    public let onBehalfOf: RPCCallContext?
    /// 1 for the first attempt.
    public package(set) var attempt = 1
    /// Where earlier attempts went, so a retry goes elsewhere when it can.
    package let trail: AttemptTrail

    package init(
        method: String, metadata: RPCMetadata, isIdempotent: Bool, deadline: ContinuousClock.Instant, body: ByteBuffer,
        encoding: PayloadEncoding, onBehalfOf: RPCCallContext? = nil
    ) {
        self.onBehalfOf = onBehalfOf
        self.method = method
        self.metadata = metadata
        self.isIdempotent = isIdempotent
        self.deadline = deadline
        self.body = body
        self.encoding = encoding
        self.trail = AttemptTrail()
    }
}

/// A successful answer: the encoded response body.
public struct RPCClientResponse: Sendable {
    public let body: ByteBuffer
    public let encoding: PayloadEncoding

    package init(body: ByteBuffer, encoding: PayloadEncoding) {
        self.body = body
        self.encoding = encoding
    }
}

/// The server the last attempt of a call went to. A call's attempts run one after another in
/// the caller's task, so nothing reads and writes it at once.
package final class AttemptTrail: @unchecked Sendable {
    package var lastAddress: SocketAddress?

    init() {}
}
