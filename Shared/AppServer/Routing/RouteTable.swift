public import Hummingbird

/// An API's routes, and the router built from them.
public struct RouteTable<Principal: Sendable>: Sendable {
    /// Every operation, in the order they are documented.
    public let routes: [APIRoute<Principal>]

    /// A table of `routes`.
    public init(routes: [APIRoute<Principal>]) {
        self.routes = routes
    }

    /// A Hummingbird router serving every route: credentials checked by `authenticator` for
    /// the routes that need them, then every declared parameter parsed and checked (400 naming
    /// the parameter), and every error answered as an ``ErrorBody``.
    public func makeRouter<Authenticator: RequestAuthenticator<Principal>>(authenticator: Authenticator) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ErrorMiddleware(templates: routes.map(\.template)))
        for route in routes {
            let parameters = route.parameters
            router.on(RouterPath(route.routerPath), method: route.method) { request, context -> Response in
                switch route.handler {
                case .anyone(let handle):
                    let values = try RouteParameters(parameters, request: request, context: context)
                    return try await handle(APIRequest(request: request, context: context, parameters: values))
                case .authenticated(let handle):
                    let principal = try await authenticator.authenticate(request, context: context)
                    let values = try RouteParameters(parameters, request: request, context: context)
                    return try await handle(APIRequest(request: request, context: context, parameters: values), principal)
                }
            }
        }
        return router
    }
}
