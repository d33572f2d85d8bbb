import Metrics

/// The addresses behind one client target by state (`rpc_client_endpoints{target, state}`:
/// ready, connecting, down, ejected) and how often one was ejected for failing
/// (`rpc_client_ejections_total{target}`).
struct EndpointMetrics: Sendable {
    struct Counts {
        var ready = 0
        var connecting = 0
        var down = 0
        var ejected = 0
    }

    let ejections: Counter
    private let ready: Gauge
    private let connecting: Gauge
    private let down: Gauge
    private let ejected: Gauge

    init(target: String, factory: any MetricsFactory = MetricsSystem.factory) {
        func endpoints(_ state: String) -> Gauge {
            Gauge(label: "rpc_client_endpoints", dimensions: [("target", target), ("state", state)], factory: factory)
        }
        ready = endpoints("ready")
        connecting = endpoints("connecting")
        down = endpoints("down")
        ejected = endpoints("ejected")
        ejections = Counter(label: "rpc_client_ejections_total", dimensions: [("target", target)], factory: factory)
    }

    func publish(_ counts: Counts) {
        ready.record(counts.ready)
        connecting.record(counts.connecting)
        down.record(counts.down)
        ejected.record(counts.ejected)
    }
}
