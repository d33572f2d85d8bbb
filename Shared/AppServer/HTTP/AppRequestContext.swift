import AppServerProtocol
public import Hummingbird
public import Logging
public import NIOCore

/// What a request brings besides its head and body, whichever way it arrived (RPC envelope
/// or plain HTTP): who and where the client is, its request id, and the caller's deadline.
public struct AppRequestContextSource: RequestContextSource {
    /// The request's logger, its request id in the metadata.
    public var logger: Logger
    /// The scheme, host and port the client addressed.
    public var origin: RequestOrigin
    /// The client's IP address (or `unknown`).
    public var clientAddress: String
    /// The request id every log line and backing call carries.
    public var requestID: String
    /// W3C trace context from the caller, to pass on to backing services.
    public var traceparent: String?
    /// When the caller stops waiting, on this process's clock; nil when it set no deadline.
    public var deadline: NIODeadline?
    /// Set when the caller asked for `Server-Timing`.
    public var serverTiming: ServerTimingRecorder?

    /// What one request brings; the envelope responder and direct HTTP mode fill it in.
    public init(
        logger: Logger, origin: RequestOrigin, clientAddress: String, requestID: String, traceparent: String?, deadline: NIODeadline?,
        serverTiming: ServerTimingRecorder? = nil
    ) {
        self.serverTiming = serverTiming
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
    /// Hummingbird builds the context from this.
    public typealias Source = AppRequestContextSource

    /// Shared with the edge, whose `--max-body-size` cannot exceed it.
    public static let bodyLimit = HTTPEnvelopeRequest.maximumBodySize

    /// Hummingbird's own per-request state.
    public var coreContext: CoreRequestContextStorage
    /// The scheme, host and port the client addressed: where absolute links start.
    public let origin: RequestOrigin
    /// The client's IP address as the edge saw it (or the peer's, served directly).
    public let clientAddress: String
    /// The request id every log line and backing call carries.
    public let requestID: String
    /// W3C trace context from the caller, to pass on to backing services.
    public let traceparent: String?
    /// When the caller stops waiting; nil when it set no deadline.
    public let deadline: NIODeadline?
    /// Where handlers add the time they wait on backing services when the caller asked for
    /// `Server-Timing`; nil otherwise (then nothing needs timing).
    public let serverTiming: ServerTimingRecorder?

    /// The largest request body read: ``bodyLimit``.
    public var maxUploadSize: Int { Self.bodyLimit }

    /// Called by Hummingbird for each request.
    public init(source: AppRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        origin = source.origin
        clientAddress = source.clientAddress
        requestID = source.requestID
        traceparent = source.traceparent
        deadline = source.deadline
        serverTiming = source.serverTiming
    }
}
