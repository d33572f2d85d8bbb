import Hummingbird

/// One operation of the API: method, path template, who may call it, what it does, and how
/// it is documented. The route table is a list of these; the router and the OpenAPI document
/// are both generated from it, so they cannot disagree.
struct APIRoute: Sendable {
    enum Handler: Sendable {
        /// No token needed (registration, login, the API description).
        case anyone(@Sendable (APIRequest) async throws -> Response)
        /// Runs only for a request with a valid, unrevoked bearer token.
        case authenticated(@Sendable (APIRequest, AuthenticatedUser) async throws -> Response)
    }

    var method: HTTPRequest.Method
    /// OpenAPI-style template: `/api/users/{username}/collection/{id}`.
    var path: String
    var documentation: OperationDocumentation
    var handler: Handler

    var requiresAuthentication: Bool {
        if case .authenticated = handler { return true }
        return false
    }

    /// The names in `{…}` segments, in order.
    var pathParameters: [String] {
        segments.compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    /// The same template in Hummingbird's syntax: `/api/users/:username`.
    var routerPath: String {
        "/"
            + segments.map { segment in
                segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : segment
            }.joined(separator: "/")
    }

    /// Whether a concrete request path falls under this template (any value fills a `{…}`).
    func matches(path requestPath: String) -> Bool {
        let requested = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        guard requested.count == segments.count else { return false }
        return zip(segments, requested).allSatisfy { template, actual in
            (template.hasPrefix("{") && template.hasSuffix("}")) || template == actual
        }
    }

    private var segments: [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}

/// What the OpenAPI document says about one operation beyond what the route itself shows
/// (method, path parameters, authentication and the errors those imply).
struct OperationDocumentation: Sendable {
    struct QueryParameter: Sendable {
        var name: String
        var description: String
        var schema: JSONValue
        var isRequired = false
    }

    struct RequestBody: Sendable {
        /// A component schema name, e.g. `NewMicropost`.
        var schema: String
        var acceptsForm = false
    }

    struct Reply: Sendable {
        var status: Int
        var description: String
        /// A component schema name; nil for a reply without a body.
        var schema: String?
        var headers: [String] = []
    }

    var operationID: String
    var summary: String
    var query: [QueryParameter] = []
    var requestBody: RequestBody?
    /// Successes and the errors particular to this operation; the generic ones are added by
    /// ``OpenAPIDocument``.
    var replies: [Reply]
}
