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
        var factory = PrometheusMetricsFactory(registry: registry)
        // Value histograms count things (requests per batched statement, rows): powers of two
        // resolve the small counts that are most of them, where the default 5, 10, 25… does not.
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
