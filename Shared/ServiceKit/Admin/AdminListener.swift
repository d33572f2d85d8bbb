import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

extension AdminServer {
    /// The admin HTTP listener as a ServiceLifecycle service. On graceful shutdown it stops
    /// accepting connections and finishes the requests in flight.
    public static func makeListener(
        host: String,
        port: Int,
        readiness: Readiness,
        registry: PrometheusCollectorRegistry,
        logger: Logger
    ) -> some Service {
        Application(
            router: makeRouter(readiness: readiness, registry: registry),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            logger: logger
        )
    }
}
