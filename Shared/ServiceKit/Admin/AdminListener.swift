import Hummingbird
public import Logging
public import Prometheus
public import ServiceLifecycle

extension AdminServer {
    /// The admin HTTP listener as a ServiceLifecycle service. On graceful shutdown it stops
    /// accepting connections and finishes the requests in flight.
    public static func makeListener(
        host: String,
        port: Int,
        readiness: Readiness,
        registry: PrometheusCollectorRegistry,
        extraRoutes: AdminRoutes = AdminRoutes(),
        logger: Logger
    ) -> some Service {
        Application(
            router: makeRouter(readiness: readiness, registry: registry, extraRoutes: extraRoutes),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            logger: logger
        )
    }
}
