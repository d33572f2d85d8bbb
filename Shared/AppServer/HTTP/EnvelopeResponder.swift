public import AppServerProtocol
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
public import RPC

/// Serves an API over RPC (the edge→app-server path): turns the edge's ``HTTPEnvelopeRequest``
/// into a Hummingbird request, runs it through the same router direct HTTP mode uses, and
/// collects the response into an ``HTTPEnvelopeResponse``.
public struct EnvelopeResponder: Sendable {
    /// The router every envelope is answered by.
    public let responder: RouterResponder<AppRequestContext>

    /// Serves envelopes with `responder` (a route table's router, built).
    public init(responder: RouterResponder<AppRequestContext>) {
        self.responder = responder
    }

    /// Registers `worker.http` (``RPCMethod/handleHTTP``) on `router`.
    public func register(on router: inout RPCRouter) {
        router.register(.handleHTTP) { envelope, call in
            await respond(to: envelope, call: call)
        }
    }

    /// One envelope's answer; never throws: every failure is an error response.
    public func respond(to envelope: HTTPEnvelopeRequest, call: RPCCallContext) async -> HTTPEnvelopeResponse {
        let request: Request
        let context: AppRequestContext
        do {
            (request, context) = try makeRequest(envelope, call: call)
        } catch {
            return Self.envelope(error)
        }
        do {
            let response = try await responder.respond(to: request, context: context)
            var answer = try await Self.collect(response)
            if let timing = context.serverTiming {
                answer.headers.append(HTTPHeaderField(name: "Server-Timing", value: timing.headerValue))
            }
            return answer
        } catch {
            // The error middleware answers every route error; this is only reached when a
            // response body fails to produce its bytes.
            context.logger.error("response failed", metadata: ["error": "\(String(reflecting: error))"])
            return Self.envelope(.internal)
        }
    }

    private func makeRequest(_ envelope: HTTPEnvelopeRequest, call: RPCCallContext) throws(APIError) -> (Request, AppRequestContext) {
        guard let method = HTTPRequest.Method(envelope.method) else {
            throw .badRequest("The request method is not a valid HTTP token.")
        }
        guard let origin = RequestOrigin(scheme: envelope.scheme, host: envelope.host, port: envelope.port) else {
            throw .badRequest("The request's scheme, host or port is invalid.")
        }
        guard envelope.target.hasPrefix("/") else { throw .badRequest("The request target must be an absolute path.") }
        var fields = HTTPFields()
        for header in envelope.headers {
            guard let name = HTTPField.Name(header.name) else { throw .badRequest("Header name \(header.name) is invalid.") }
            fields.append(HTTPField(name: name, value: header.value))
        }
        let head = HTTPRequest(method: method, scheme: origin.scheme, authority: origin.host, path: envelope.target, headerFields: fields)
        let requestID = RequestID.resolve(call.metadata.requestID ?? fields[RequestIDHeader.name])
        var logger = call.logger
        // The RPC server's logging interceptor has usually put this id on the call's logger
        // already; setting it again would copy the logger's storage and metadata per request.
        if logger[metadataKey: "request-id"] != .string(requestID) { logger[metadataKey: "request-id"] = "\(requestID)" }
        let source = AppRequestContextSource(
            logger: logger, origin: origin, clientAddress: envelope.clientAddress, requestID: requestID,
            traceparent: call.metadata.traceparent, deadline: call.deadline,
            serverTiming: call.metadata[RPCMetadata.serverTimingKey] == nil ? nil : ServerTimingRecorder())
        let request = Request(head: head, body: RequestBody(buffer: envelope.body))
        return (request, AppRequestContext(source: source))
    }

    private static func collect(_ response: Response) async throws -> HTTPEnvelopeResponse {
        let writer = CollectingBodyWriter()
        try await response.body.write(writer)
        return envelope(response, body: writer.collected)
    }

    private static func envelope(_ error: APIError) -> HTTPEnvelopeResponse {
        envelope(error.response(), body: ErrorBody(code: error.code, message: error.message).encoded())
    }

    private static func envelope(_ response: Response, body: ByteBuffer) -> HTTPEnvelopeResponse {
        HTTPEnvelopeResponse(
            status: response.status.code,
            headers: response.headers.map { HTTPHeaderField(name: $0.name.rawName, value: $0.value) },
            body: body)
    }
}

/// Gathers a response body in memory: envelope responses travel as one RPC reply.
final class CollectingBodyWriter: ResponseBodyWriter {
    var collected = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        // A JSON body is one buffer: kept as it is rather than copied.
        if collected.readableBytes == 0 {
            collected = buffer
        } else {
            collected.writeImmutableBuffer(buffer)
        }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

enum RequestIDHeader {
    static let name = HTTPField.Name(RequestID.headerName) ?? .via
}
