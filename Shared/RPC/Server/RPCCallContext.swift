public import Logging
public import NIOCore

/// What a handler knows about the call it serves.
public struct RPCCallContext: Sendable {
    public let method: String
    public let callID: UInt32
    /// What the caller sent; an interceptor may add to it (e.g. the trace context of a call
    /// that came without one) for the handler and the calls it makes.
    public var metadata: RPCMetadata
    /// When the caller stops waiting, on this process's clock; `nil` when it set no deadline.
    public let deadline: NIODeadline?
    public let remoteAddress: SocketAddress?
    /// Carries `request-id` in its metadata so every log line of the call can be correlated.
    public var logger: Logger

    public init(
        method: String, callID: UInt32, metadata: RPCMetadata, deadline: NIODeadline?, remoteAddress: SocketAddress?, logger: Logger
    ) {
        self.method = method
        self.callID = callID
        self.metadata = metadata
        self.deadline = deadline
        self.remoteAddress = remoteAddress
        self.logger = logger
    }

    /// Time left before the deadline, for passing on to the next hop.
    public var timeRemaining: TimeAmount? {
        deadline.map { $0 - .now() }
    }
}
