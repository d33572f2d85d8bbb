import AppServerProtocol
import Hummingbird
import Logging
import MicropostsModels
import NIOCore

/// What a request brings besides its head and body, whichever way it arrived (RPC envelope
/// or plain HTTP): who and where the client is, its request id, and the caller's deadline.
struct WorkerContextSource: RequestContextSource {
    var logger: Logger
    var origin: RequestOrigin
    var clientAddress: String
    var requestID: String
    /// W3C trace context from the caller, passed on to the data service.
    var traceparent: String?
    /// When the caller stops waiting, on this process's clock; nil when it set no deadline.
    var deadline: NIODeadline?
}

struct WorkerRequestContext: RequestContext {
    typealias Source = WorkerContextSource

    /// Shared with the edge, whose `--max-body-size` cannot exceed it.
    static let bodyLimit = HTTPEnvelopeRequest.maximumBodySize

    var coreContext: CoreRequestContextStorage
    let origin: RequestOrigin
    let clientAddress: String
    let requestID: String
    let traceparent: String?
    let deadline: NIODeadline?

    var maxUploadSize: Int { Self.bodyLimit }

    init(source: WorkerContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        origin = source.origin
        clientAddress = source.clientAddress
        requestID = source.requestID
        traceparent = source.traceparent
        deadline = source.deadline
    }

    var links: LinkBuilder { LinkBuilder(origin: origin) }
}
