import Hummingbird
import Metrics
import NIOCore
import Tracing

/// Per route: requests by status class (`http_server_requests_total{route, method, status}`,
/// status `2xx` … `5xx`) and how long producing the response took
/// (`http_server_request_duration_seconds{route, method}`). `route` is the route's documented
/// template (`/api/users/{username}`), so a series is an operation, never a concrete path;
/// requests no route matches are `route="unmatched"`.
///
/// The instruments are made once, when the router is built: answering a request looks them
/// up in a dictionary that never changes, with no lock.
///
/// In a recorded trace the RPC server's span is current, and it is the request's span: once the
/// router has matched, it is named by the route (`GET /api/users/{username}`, as an HTTP server
/// span is) and given the HTTP attributes. No span of its own: a recorded trace costs by the
/// span, and this one would only repeat the server span's timing.
struct RouteMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// Keyed by Hummingbird's endpoint path (`/api/users/{username}`) and the method.
    private let routes: [RouteKey: RouteInstruments]
    private let unmatched: RouteInstruments
    /// Nil: the bootstrapped one, read when a request is traced.
    private let tracer: (any Tracer)?

    struct RouteKey: Hashable, Sendable {
        var endpoint: String
        var method: HTTPRequest.Method
    }

    /// `routes`: for each route, Hummingbird's endpoint path, the method and the documented template.
    init(
        routes: [(endpoint: String, method: HTTPRequest.Method, template: String)], factory: any MetricsFactory,
        tracer: (any Tracer)? = nil
    ) {
        self.tracer = tracer
        var instruments: [RouteKey: RouteInstruments] = [:]
        for route in routes {
            instruments[RouteKey(endpoint: route.endpoint, method: route.method)] = RouteInstruments(
                route: route.template, method: route.method.rawValue, factory: factory)
        }
        self.routes = instruments
        unmatched = RouteInstruments(route: "unmatched", method: "any", factory: factory)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let current = ServiceContext.current, let span = (tracer ?? InstrumentationSystem.tracer).activeSpan(identifiedBy: current)
        else { return try await measure(request, context: context, next: next) }
        do {
            let response = try await measure(request, context: context, next: next)
            describe(span, request: request, context: context, status: response.status.code)
            return response
        } catch {
            describe(span, request: request, context: context, status: 500)
            throw error
        }
    }

    private func describe(_ span: any Span, request: Request, context: Context, status: Int) {
        guard span.isRecording else { return }
        let route = instruments(for: request, context: context).route
        span.operationName = "\(request.method.rawValue) \(route)"
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["http.route"] = route
            attributes["http.response.status_code"] = status
        }
        if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
    }

    private func measure(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = NIODeadline.now()
        do {
            let response = try await next(request, context)
            instruments(for: request, context: context).record(status: response.status.code, since: started)
            return response
        } catch {
            // The error middleware inside answers every error; what escapes it is a 500.
            instruments(for: request, context: context).record(status: 500, since: started)
            throw error
        }
    }

    private func instruments(for request: Request, context: Context) -> RouteInstruments {
        guard let endpoint = context.endpointPath else { return unmatched }
        return routes[RouteKey(endpoint: endpoint, method: request.method)] ?? unmatched
    }
}

/// One route's series.
struct RouteInstruments: Sendable {
    /// `2xx`, `3xx`, `4xx`, `5xx`, then `other` (no final answer has another status).
    let requests: [Counter]
    let duration: Timer
    /// The documented template, or `unmatched`.
    let route: String

    init(route: String, method: String, factory: any MetricsFactory) {
        self.route = route
        let dimensions = [("route", route), ("method", method)]
        requests = ["2xx", "3xx", "4xx", "5xx", "other"].map { status in
            Counter(label: "http_server_requests_total", dimensions: dimensions + [("status", status)], factory: factory)
        }
        duration = Timer(label: "http_server_request_duration_seconds", dimensions: dimensions, factory: factory)
    }

    func record(status: Int, since started: NIODeadline) {
        let digit = status / 100
        requests[(2...5).contains(digit) ? digit - 2 : 4].increment()
        duration.recordNanoseconds((NIODeadline.now() - started).nanoseconds)
    }
}
