import Hummingbird

/// The API's routes, and the router built from them.
struct RouteTable: Sendable {
    let routes: [APIRoute]

    /// The methods some route offers for a request path; empty when no route has the path.
    func methods(forPath path: String) -> [HTTPRequest.Method] {
        routes.filter { $0.matches(path: path) }.map(\.method)
    }

    /// A Hummingbird router serving every route, with authentication applied to the routes
    /// that need it and every error answered in the API's JSON shape.
    func makeRouter(authenticator: Authenticator) -> Router<WorkerRequestContext> {
        let router = Router(context: WorkerRequestContext.self)
        router.add(middleware: ErrorMiddleware(routes: self))
        for route in routes {
            router.on(RouterPath(route.routerPath), method: route.method) { request, context -> Response in
                let call = APIRequest(request: request, context: context)
                switch route.handler {
                case .anyone(let handle):
                    return try await handle(call)
                case .authenticated(let handle):
                    let user = try await authenticator.authenticate(request, context: context)
                    return try await handle(call, user)
                }
            }
        }
        return router
    }
}
