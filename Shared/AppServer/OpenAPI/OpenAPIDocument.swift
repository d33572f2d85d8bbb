import HTTPTypes

/// The OpenAPI 3 description of an API, generated from its route table: every route is an
/// operation with its typed parameters, and the errors a route can produce follow from what it
/// declares (credentials mean 401, parameters 400, path parameters 404, a body 400/413/415).
public enum OpenAPIDocument {
    /// The document, with `serverURL` as its one server.
    public static func make<Principal>(routes: RouteTable<Principal>, info: OpenAPIInfo, serverURL: String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for route in routes.routes {
            var item: [String: JSONValue] = [:]
            if case .object(let existing)? = paths[route.path] { item = existing }
            item[route.method.rawValue.lowercased()] = operation(route, info: info)
            paths[route.path] = .object(item)
        }
        var schemas = info.schemas
        if schemas["Error"] == nil { schemas["Error"] = OpenAPIInfo.errorSchema }
        var components: [String: JSONValue] = ["schemas": .object(schemas)]
        if let scheme = info.securityScheme { components["securitySchemes"] = .object([info.securitySchemeName: scheme]) }
        var about: [String: JSONValue] = ["title": .string(info.title), "version": .string(info.version)]
        if let description = info.description { about["description"] = .string(description) }
        return [
            "openapi": "3.0.3",
            "info": .object(about),
            "servers": [["url": .string(serverURL)]],
            "paths": .object(paths),
            "components": .object(components),
        ]
    }

    private static func operation<Principal>(_ route: APIRoute<Principal>, info: OpenAPIInfo) -> JSONValue {
        let documentation = route.documentation
        let parameters = route.parameters.map(\.openAPI)

        var responses: [String: JSONValue] = [:]
        for reply in documentation.replies {
            responses[String(reply.status)] = response(reply.description, schema: reply.schema, headers: reply.headers)
        }
        func addError(_ status: Int, _ description: String, headers: [String] = []) {
            if responses[String(status)] == nil { responses[String(status)] = response(description, schema: "Error", headers: headers) }
        }
        if documentation.requestBody != nil || !route.parameters.isEmpty {
            addError(400, "A field or parameter is missing, of the wrong type or out of range; the message names it.")
        }
        if documentation.requestBody != nil {
            addError(413, "The body is too large.")
            addError(415, "The body is not JSON.")
        }
        if route.requiresAuthentication {
            addError(401, "No credentials, or ones that are invalid, expired or revoked.", headers: ["WWW-Authenticate"])
        }
        if !route.pathParameters.isEmpty { addError(404, "Nothing exists for these path parameters.") }
        addError(503, "A backing service is unavailable; retry later.", headers: ["Retry-After"])
        addError(504, "The request did not complete in time.")
        responses["default"] = response("Any other error, e.g. 405 (with Allow) or 500.", schema: "Error", headers: [])

        var operation: [String: JSONValue] = [
            "operationId": .string(documentation.operationID),
            "summary": .string(documentation.summary),
            "responses": .object(responses),
            "security": route.requiresAuthentication ? [[info.securitySchemeName: []]] : [],
        ]
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body = documentation.requestBody {
            var content: [String: JSONValue] = ["application/json": ["schema": OpenAPIInfo.reference(body.schema)]]
            if body.acceptsForm { content["application/x-www-form-urlencoded"] = ["schema": OpenAPIInfo.reference(body.schema)] }
            operation["requestBody"] = ["required": true, "content": .object(content)]
        }
        return .object(operation)
    }

    private static func response(_ description: String, schema: String?, headers: [String]) -> JSONValue {
        var response: [String: JSONValue] = ["description": .string(description)]
        if let schema {
            response["content"] = ["application/json": ["schema": OpenAPIInfo.reference(schema)]]
        }
        if !headers.isEmpty {
            response["headers"] = .object(
                Dictionary(
                    uniqueKeysWithValues: headers.map { name in
                        (name, ["schema": ["type": "string"], "description": .string(headerDescriptions[name] ?? name)] as JSONValue)
                    }))
        }
        return .object(response)
    }

    private static let headerDescriptions = [
        "Location": "Absolute URL of the created resource.",
        "ETag": "Version of the resource, for If-None-Match.",
        "WWW-Authenticate": "The authentication challenge.",
        "Retry-After": "Seconds to wait before retrying.",
    ]
}
