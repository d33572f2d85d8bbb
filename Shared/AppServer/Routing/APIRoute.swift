public import Hummingbird

/// One operation of an API: method, path template, typed parameters, who may call it, what it
/// does, and how it is documented. A ``RouteTable`` is a list of these; the router and the
/// OpenAPI document are both generated from it, so they cannot disagree.
///
/// `Principal` is what the app's ``RequestAuthenticator`` makes of a request's credentials.
public struct APIRoute<Principal: Sendable>: Sendable {
    /// What runs for a matching request, and whether it needs credentials.
    public enum Handler: Sendable {
        /// No credentials needed.
        case anyone(@Sendable (APIRequest) async throws -> Response)
        /// Runs only once the authenticator accepted the request's credentials.
        case authenticated(@Sendable (APIRequest, Principal) async throws -> Response)
    }

    /// The HTTP method.
    public var method: HTTPRequest.Method
    /// OpenAPI-style template: `/api/users/{name}/items/{id}`.
    public var path: String
    /// Every `{…}` segment of `path`, and the query parameters, with their types.
    public var parameters: [Parameter]
    /// What the OpenAPI document says beyond what the route shows.
    public var documentation: OperationDocumentation
    /// What answers the request.
    public var handler: Handler

    /// - Precondition: `parameters` declares each `{…}` segment of `path` exactly once, as a
    ///   path parameter, and no path parameter `path` lacks.
    public init(
        method: HTTPRequest.Method, path: String, parameters: [Parameter] = [], documentation: OperationDocumentation,
        handler: Handler
    ) {
        self.method = method
        self.path = path
        self.parameters = parameters
        self.documentation = documentation
        self.handler = handler
        let declared = parameters.filter { $0.location == .path }.map(\.name)
        precondition(declared == pathParameters, "\(method) \(path): declare its path parameters \(pathParameters), in order")
    }

    /// Whether the authenticator runs before the handler.
    public var requiresAuthentication: Bool {
        if case .authenticated = handler { return true }
        return false
    }

    /// The names in `{…}` segments, in order.
    public var pathParameters: [String] {
        segments.compactMap { segment in
            Self.isParameter(segment) ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    /// The query parameters, in order.
    public var queryParameters: [Parameter] {
        parameters.filter { $0.location == .query }
    }

    /// The same template in Hummingbird's syntax: `/api/users/:name`.
    var routerPath: String {
        "/" + segments.map { segment in Self.isParameter(segment) ? ":" + segment.dropFirst().dropLast() : segment }.joined(separator: "/")
    }

    var template: RouteTemplate {
        RouteTemplate(method: method, segments: segments.map { Self.isParameter($0) ? nil : String($0) })
    }

    private var segments: [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func isParameter(_ segment: Substring) -> Bool {
        segment.hasPrefix("{") && segment.hasSuffix("}")
    }
}

/// A route's method and path shape, for telling 404 from 405 on a request no route matched.
struct RouteTemplate: Sendable {
    let method: HTTPRequest.Method
    /// Nil where any value fills a `{…}` segment.
    let segments: [String?]

    /// Whether a concrete request path falls under this template.
    func matches(path requestPath: String) -> Bool {
        let requested = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        guard requested.count == segments.count else { return false }
        return zip(segments, requested).allSatisfy { template, actual in template.map { $0 == actual } ?? true }
    }
}
