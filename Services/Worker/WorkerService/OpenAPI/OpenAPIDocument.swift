/// The OpenAPI 3 description of the API, generated from the route table: every route is an
/// operation, and the errors a route can produce follow from what it declares (a token means
/// 401, a path parameter 404, a body 400/413/415, query parameters 400).
enum OpenAPIDocument {
    static func make(routes: RouteTable, serverURL: String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for route in routes.routes {
            var item: [String: JSONValue] = [:]
            if case .object(let existing)? = paths[route.path] { item = existing }
            item[route.method.rawValue.lowercased()] = operation(route)
            paths[route.path] = .object(item)
        }
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "Microposts API",
                "version": "1.0.0",
                "description": "A small microblog. Errors are {\"error\": code, \"message\": sentence}.",
            ],
            "servers": [["url": .string(serverURL)]],
            "paths": .object(paths),
            "components": [
                "schemas": OpenAPISchemas.all,
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
            ],
        ]
    }

    private static func operation(_ route: APIRoute) -> JSONValue {
        let documentation = route.documentation
        var parameters: [JSONValue] = route.pathParameters.map { name in
            [
                "name": .string(name), "in": "path", "required": true,
                "schema": name == "id" ? ["type": "integer", "format": "int64", "minimum": 1] : OpenAPISchemas.username,
            ]
        }
        parameters += documentation.query.map { parameter in
            [
                "name": .string(parameter.name), "in": "query", "required": .bool(parameter.isRequired),
                "description": .string(parameter.description), "schema": parameter.schema,
            ]
        }

        var responses: [String: JSONValue] = [:]
        for reply in documentation.replies {
            responses[String(reply.status)] = response(reply.description, schema: reply.schema, headers: reply.headers)
        }
        func addError(_ status: Int, _ description: String, headers: [String] = []) {
            if responses[String(status)] == nil { responses[String(status)] = response(description, schema: "Error", headers: headers) }
        }
        if documentation.requestBody != nil || !documentation.query.isEmpty {
            addError(400, "A field or parameter is missing, of the wrong type or out of range; the message names it.")
        }
        if documentation.requestBody != nil {
            addError(413, "The body is too large.")
            addError(415, "The body is not JSON.")
        }
        if route.requiresAuthentication {
            addError(401, "No access token, or one that is invalid, expired or revoked.", headers: ["WWW-Authenticate"])
        }
        if !route.pathParameters.isEmpty { addError(404, "No such user or micropost.") }
        addError(503, "A backing service is unavailable; retry later.", headers: ["Retry-After"])
        addError(504, "The request did not complete in time.")
        responses["default"] = response("Any other error, e.g. 405 (with Allow) or 500.", schema: "Error", headers: [])

        var operation: [String: JSONValue] = [
            "operationId": .string(documentation.operationID),
            "summary": .string(documentation.summary),
            "responses": .object(responses),
            "security": route.requiresAuthentication ? [["bearer": []]] : [],
        ]
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body = documentation.requestBody {
            var content: [String: JSONValue] = ["application/json": ["schema": OpenAPISchemas.reference(body.schema)]]
            if body.acceptsForm { content["application/x-www-form-urlencoded"] = ["schema": OpenAPISchemas.reference(body.schema)] }
            operation["requestBody"] = ["required": true, "content": .object(content)]
        }
        return .object(operation)
    }

    private static func response(_ description: String, schema: String?, headers: [String]) -> JSONValue {
        var response: [String: JSONValue] = ["description": .string(description)]
        if let schema {
            response["content"] = ["application/json": ["schema": OpenAPISchemas.reference(schema)]]
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
        "WWW-Authenticate": "The Bearer challenge.",
        "Retry-After": "Seconds to wait before retrying.",
    ]
}
