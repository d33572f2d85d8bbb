public import Hummingbird
public import Metrics
public import Tracing

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
    /// the parameter), every error answered as an ``ErrorBody``, and each route's requests and
    /// latency counted (`http_server_requests_total`, `http_server_request_duration_seconds`)
    /// through `metricsFactory` (the bootstrapped one unless a test brings its own). In a recorded
    /// trace the current span (the RPC server's) is named by the route, from `tracer`'s active
    /// spans (nil: the bootstrapped tracer).
    public func makeRouter<Authenticator: RequestAuthenticator<Principal>>(
        authenticator: Authenticator, metricsFactory: any MetricsFactory = MetricsSystem.factory, tracer: (any Tracer)? = nil
    ) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        let endpoints = routes.map { route in
            (endpoint: RouterPath(route.routerPath).description, method: route.method, template: route.path)
        }
        router.add(middleware: RouteMetricsMiddleware(routes: endpoints, factory: metricsFactory, tracer: tracer))
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
