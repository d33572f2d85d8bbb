/// Where a server listens and the limits it enforces on each connection.
public struct RPCServerConfiguration: Sendable {
    public enum BindTarget: Sendable, Equatable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unix(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): "\(host):\(port)"
            case .unix(let path): "unix:\(path)"
            }
        }
    }

    public var bindTarget: BindTarget
    /// Largest frame accepted; a bigger length prefix closes the connection before its bytes
    /// are read. It bounds the memory one peer can make the server hold.
    public var maximumFrameSize: Int
    /// Calls beyond this many in flight on one connection are answered `resourceExhausted`.
    public var maximumConcurrentCallsPerConnection: Int
    /// Open connections; one more is closed as soon as it is accepted.
    public var maximumConnections: Int
    /// Until hello (and proof) are through; a peer that says nothing is closed after it.
    public var handshakeTimeout: Duration
    /// A connection without calls and without frames — clients ping every keepalive interval,
    /// 10 s by default — is closed (with GOAWAY) after it. Keep it well above every client's
    /// keepalive.
    public var idleTimeout: Duration
    /// A frame that started arriving must be complete within it, so a stalled half frame
    /// cannot pin up to `maximumFrameSize` bytes forever.
    public var frameTimeout: Duration
    /// When set, every client must prove it knows this secret in the handshake, and the
    /// server proves it too. When nil, anyone who can reach the socket can call every method.
    public var secret: RPCSecret?

    public init(
        bindTarget: BindTarget,
        maximumFrameSize: Int = 4 * 1024 * 1024,
        maximumConcurrentCallsPerConnection: Int = 1024,
        maximumConnections: Int = 1024,
        handshakeTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(300),
        frameTimeout: Duration = .seconds(30),
        secret: RPCSecret? = nil
    ) {
        self.bindTarget = bindTarget
        self.maximumFrameSize = maximumFrameSize
        self.maximumConcurrentCallsPerConnection = maximumConcurrentCallsPerConnection
        self.maximumConnections = maximumConnections
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.frameTimeout = frameTimeout
        self.secret = secret
    }
}
