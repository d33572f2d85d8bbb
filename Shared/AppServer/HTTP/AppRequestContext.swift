import AppServerProtocol
import Hummingbird
import Logging
import NIOCore

/// What a request brings besides its head and body, whichever way it arrived (RPC envelope
/// or plain HTTP): who and where the client is, its request id, and the caller's deadline.
public struct AppRequestContextSource: RequestContextSource {
    public var logger: Logger
    public var origin: RequestOrigin
    public var clientAddress: String
    public var requestID: String
    /// W3C trace context from the caller, to pass on to backing services.
    public var traceparent: String?
    /// When the caller stops waiting, on this process's clock; nil when it set no deadline.
    public var deadline: NIODeadline?

    public init(
        logger: Logger, origin: RequestOrigin, clientAddress: String, requestID: String, traceparent: String?, deadline: NIODeadline?
    ) {
        self.logger = logger
        self.origin = origin
        self.clientAddress = clientAddress
        self.requestID = requestID
        self.traceparent = traceparent
        self.deadline = deadline
    }
}

/// The request context of every app-server route: the Hummingbird core context plus the
/// ``AppRequestContextSource`` facts, the same behind the edge and in direct HTTP mode.
public struct AppRequestContext: RequestContext {
    public typealias Source = AppRequestContextSource

    /// Shared with the edge, whose `--max-body-size` cannot exceed it.
    public static let bodyLimit = HTTPEnvelopeRequest.maximumBodySize

    public var coreContext: CoreRequestContextStorage
    /// The scheme, host and port the client addressed: where absolute links start.
    public let origin: RequestOrigin
    /// The client's IP address as the edge saw it (or the peer's, served directly).
    public let clientAddress: String
    public let requestID: String
    public let traceparent: String?
    public let deadline: NIODeadline?

    public var maxUploadSize: Int { Self.bodyLimit }

    public init(source: AppRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        origin = source.origin
        clientAddress = source.clientAddress
        requestID = source.requestID
        traceparent = source.traceparent
        deadline = source.deadline
    }
}
