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

    public init(
        bindTarget: BindTarget,
        maximumFrameSize: Int = 4 * 1024 * 1024,
        maximumConcurrentCallsPerConnection: Int = 1024
    ) {
        self.bindTarget = bindTarget
        self.maximumFrameSize = maximumFrameSize
        self.maximumConcurrentCallsPerConnection = maximumConcurrentCallsPerConnection
    }
}
