import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
public import RPC
import ServiceKit
public import ServiceLifecycle

/// Serves an API over plain HTTP, for running and curling an app server without the edge —
/// uWSGI's `http` mode. The same router as over RPC; links come from the `Host` header.
public enum DirectHTTPServer {
    /// A service listening on `address` that answers with `api`.
    public static func make(address: HostPort, api: RouterResponder<AppRequestContext>, logger: Logger) -> some Service {
        Application(
            responder: DirectHTTPResponder(api: api),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil),
            logger: logger)
    }
}

/// Hummingbird's own context for a connection: we only need the peer's address from it.
struct DirectHTTPContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Supplies what the edge would have put into an envelope: origin from `Host`, request id
/// from `X-Request-ID` (or a new one, echoed back), client address from the connection.
struct DirectHTTPResponder: HTTPResponder {
    let api: RouterResponder<AppRequestContext>

    func respond(to request: Request, context: DirectHTTPContext) async throws -> Response {
        let requestID = RequestID.resolve(request.headers[RequestIDHeader.name])
        var response: Response
        if let host = request.head.authority, let origin = RequestOrigin(scheme: "http", hostHeader: host) {
            var logger = context.logger
            logger[metadataKey: "request-id"] = "\(requestID)"
            let source = AppRequestContextSource(
                logger: logger, origin: origin, clientAddress: context.remoteAddress?.ipAddress ?? "unknown",
                requestID: requestID, traceparent: request.headers[Self.traceparent], deadline: nil)
            response = try await api.respond(to: request, context: AppRequestContext(source: source))
        } else {
            response = APIError.badRequest("A valid Host header is required.").response()
        }
        response.headers[RequestIDHeader.name] = requestID
        return response
    }

    private static let traceparent = HTTPField.Name("traceparent") ?? .via
}
