import Metrics
import NIOCore

/// The addresses behind one client target by state (`rpc_client_endpoints{target, state}`:
/// ready, connecting, not_serving (up, its health not `serving` yet), down, ejected) and how
/// often one was ejected for failing (`rpc_client_ejections_total{target}`).
struct EndpointMetrics: Sendable {
    struct Counts {
        var ready = 0
        var connecting = 0
        var notServing = 0
        var down = 0
        var ejected = 0
    }

    let ejections: Counter
    private let ready: Gauge
    private let connecting: Gauge
    private let notServing: Gauge
    private let down: Gauge
    private let ejected: Gauge

    init(target: String, factory: any MetricsFactory = MetricsSystem.factory) {
        func endpoints(_ state: String) -> Gauge {
            Gauge(label: "rpc_client_endpoints", dimensions: [("target", target), ("state", state)], factory: factory)
        }
        ready = endpoints("ready")
        connecting = endpoints("connecting")
        notServing = endpoints("not_serving")
        down = endpoints("down")
        ejected = endpoints("ejected")
        ejections = Counter(label: "rpc_client_ejections_total", dimensions: [("target", target)], factory: factory)
    }

    func publish(_ counts: Counts) {
        ready.record(counts.ready)
        connecting.record(counts.connecting)
        notServing.record(counts.notServing)
        down.record(counts.down)
        ejected.record(counts.ejected)
    }
}

/// Calls outstanding on one address, over all its connections
/// (`rpc_client_endpoint_calls_outstanding{target, endpoint}`): the load the balancer spreads.
/// A meter, so concurrent calls change the value atomically and never record a stale one.
final class EndpointLoad: Sendable {
    private let meter: Meter

    init(target: String, address: SocketAddress, factory: any MetricsFactory) {
        let endpoint = address.pathname ?? "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        meter = Meter(
            label: "rpc_client_endpoint_calls_outstanding", dimensions: [("target", target), ("endpoint", endpoint)], factory: factory)
    }

    func began() { meter.increment() }

    func ended() { meter.decrement() }
}
