import Metrics

/// How the pool serves ``Database`` leases: how long they wait for a connection, how many
/// connections are leased at a time, and how many leases gave up waiting.
struct PoolMetrics: Sendable {
    /// From asking for a connection to having it, for leases that got one (`db_pool_wait_seconds`).
    let wait: Timer
    /// Connections leased right now (`db_connections_in_use`).
    let inUse: Meter
    /// Leases that waited their whole limit, or until their caller's deadline, for a
    /// connection (`db_pool_wait_timeouts_total`).
    let timeouts: Counter

    init(factory: any MetricsFactory) {
        wait = Timer(label: "db_pool_wait_seconds", factory: factory)
        inUse = Meter(label: "db_connections_in_use", factory: factory)
        timeouts = Counter(label: "db_pool_wait_timeouts_total", factory: factory)
    }
}
