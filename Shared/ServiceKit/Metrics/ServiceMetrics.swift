import Metrics
public import Prometheus

/// Process-wide metrics setup: swift-metrics backed by one Prometheus registry.
public enum ServiceMetrics {
    /// Bootstraps swift-metrics on first call and returns the registry `/metrics` renders.
    /// Safe to call more than once: swift-metrics may be bootstrapped only once per process,
    /// so the registry is created in a lazily initialised (thread-safe) static.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        shared
    }

    private static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
