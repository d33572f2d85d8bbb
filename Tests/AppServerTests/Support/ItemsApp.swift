import AppServer
import AppServerProtocol
import Foundation
import Hummingbird
import Logging
import NIOCore
import RPC
import XCTest

/// A tiny API built on the kit alone: items under owners, one authenticated route, typed path
/// and query parameters. Requests enter as the edge sends them, as HTTP envelopes.
enum ItemsApp {
    struct Unexpected: Error {}

    /// Accepts `Authorization: Name <name>` and makes the name the principal.
    struct NameAuthenticator: RequestAuthenticator {
        func authenticate(_ request: Request, context: AppRequestContext) async throws -> String {
            guard let value = request.headers[.authorization], value.hasPrefix("Name ") else {
                throw APIError.unauthorized("Say who you are.", tokenPresented: false)
            }
            return String(value.dropFirst("Name ".count))
        }
    }

    static let owner = Parameter.path(
        "owner", .string(length: 1...8, characters: ASCIICharacters(ranges: ["a"..."z", "0"..."9"], singles: "-_")))
    static let id = Parameter.path("id", .integer(atLeast: 1), description: "The item's number.")
    static let query = Parameter.query("q", .string(length: 2...5), description: "Words to find.", required: true)
    static let limit = Parameter.query("limit", .integer(1...50), description: "How many.", default: 10)
    static let offset = Parameter.query("offset", .integer(-5...5))

    /// Echoes what the handler received, so tests see the typed values.
    static var routes: RouteTable<String> {
        typealias Reply = OperationDocumentation.Reply
        return RouteTable(routes: [
            APIRoute(
                method: .get, path: "/items/{owner}/{id}", parameters: [owner, id],
                documentation: .init(
                    operationID: "getItem", summary: "One item.", replies: [Reply(status: 200, description: "It.", schema: "Item")]),
                handler: .anyone { call in
                    let owner = try call.parameters.string("owner")
                    let id = try call.parameters.integer("id")
                    return JSONResponse.make(status: .ok, body: ["owner": owner, "id": String(id)])
                }),
            APIRoute(
                method: .delete, path: "/items/{owner}/{id}", parameters: [owner, id],
                documentation: .init(operationID: "deleteItem", summary: "Remove it.", replies: [Reply(status: 204, description: "Gone.")]),
                handler: .authenticated { call, name in
                    guard try call.parameters.string("owner") == name else { throw APIError.forbidden("Not yours.") }
                    return JSONResponse.noContent()
                }),
            APIRoute(
                method: .get, path: "/search", parameters: [query, limit, offset],
                documentation: .init(
                    operationID: "search", summary: "Find items.", replies: [Reply(status: 200, description: "Found.", schema: "Item")]),
                handler: .authenticated { call, name in
                    let found = [
                        "by": name, "q": try call.parameters.string("q"), "limit": String(try call.parameters.integer("limit")),
                        "offset": (try call.parameters.optionalInteger("offset")).map(String.init) ?? "none",
                    ]
                    return JSONResponse.make(status: .ok, body: found)
                }),
            APIRoute(
                method: .post, path: "/items",
                documentation: .init(
                    operationID: "createItem", summary: "Add one.", requestBody: .init(schema: "Item", acceptsForm: true),
                    replies: [Reply(status: 201, description: "Added.", schema: "Item", headers: ["Location"])]),
                handler: .anyone { call in
                    let fields = try await call.fields(accepting: [.json, .form])
                    try fields.rejectUnknown(allowed: ["name"])
                    return JSONResponse.make(status: .created, body: ["name": try fields.requiredString("name")])
                }),
            APIRoute(
                method: .get, path: "/logged-request-id",
                documentation: .init(operationID: "loggedRequestID", summary: "The request id on the route's logger.", replies: []),
                handler: .anyone { call in
                    JSONResponse.make(
                        status: .ok, body: ["request-id": call.context.logger[metadataKey: "request-id"]?.description ?? "none"])
                }),
            APIRoute(
                method: .get, path: "/broken",
                documentation: .init(operationID: "broken", summary: "Always fails.", replies: []),
                handler: .anyone { _ in throw CancellationError() }),
            APIRoute(
                method: .get, path: "/crash",
                documentation: .init(operationID: "crash", summary: "Throws something unknown.", replies: []),
                handler: .anyone { _ in throw Unexpected() }),
        ])
    }

    static let info = OpenAPIInfo(
        title: "Items", version: "2.0.0", description: "Test items.",
        schemas: ["Item": ["type": "object"]],
        securityScheme: ["type": "http", "scheme": "basic"], securitySchemeName: "names")

    static let responder = EnvelopeResponder(responder: routes.makeRouter(authenticator: NameAuthenticator()).buildResponder())

    static func send(
        _ method: String, _ target: String, body: String? = nil, headers: [(String, String)] = [], host: String = "items.example",
        to responder: EnvelopeResponder = responder, metadata: RPCMetadata = ["request-id": "req-1"],
        logger: Logger = Logger(label: "test")
    ) async -> Reply {
        let envelope = HTTPEnvelopeRequest(
            method: method, target: target, headers: headers.map { HTTPHeaderField(name: $0.0, value: $0.1) },
            body: Array((body ?? "").utf8), clientAddress: "192.0.2.7", scheme: "https", host: host, port: 443)
        let call = RPCCallContext(
            method: "worker.http", callID: 1, metadata: metadata, deadline: .now() + .seconds(10), remoteAddress: nil,
            logger: logger)
        return Reply(await responder.respond(to: envelope, call: call))
    }

    struct Reply {
        let status: Int
        let headers: [HTTPHeaderField]
        let text: String

        init(_ envelope: HTTPEnvelopeResponse) {
            status = envelope.status
            headers = envelope.headers
            text = String(buffer: envelope.body)
        }

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var object: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }

        var errorCode: String? { object["error"] as? String }
        var message: String? { object["message"] as? String }
    }
}
