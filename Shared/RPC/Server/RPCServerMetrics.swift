import Metrics

/// Per-method instruments, created once when the server starts: building them per call would
/// take the metrics factory's lock on the hot path.
struct MethodMetrics: Sendable {
    private let callsByStatus: [Counter]
    private let latency: Timer

    init(method: String) {
        callsByStatus = RPCStatusCode.allCases.map { status in
            Counter(label: "rpc_server_calls_total", dimensions: [("method", method), ("status", status.description)])
        }
        latency = Timer(label: "rpc_server_call_duration_seconds", dimensions: [("method", method)], preferredDisplayUnit: .seconds)
    }

    func record(status: RPCStatusCode, nanoseconds: Int64) {
        callsByStatus[Int(status.rawValue)].increment()
        latency.recordNanoseconds(nanoseconds)
    }
}

/// What happens to a server's connections, for the limits an operator watches: open
/// connections against `--rpc-max-connections`, refusals, timeouts, failed authentication.
struct ServerConnectionMetrics: Sendable {
    private let open: Gauge
    private let rejected: Counter
    private let authenticationFailures: Counter
    /// Indexed like `ServerConnectionTimeouts.Expiry.allCases`.
    private let timeouts: [Counter]

    init() {
        open = Gauge(label: "rpc_server_connections")
        rejected = Counter(label: "rpc_server_connections_rejected_total")
        authenticationFailures = Counter(label: "rpc_server_authentication_failures_total")
        timeouts = ServerConnectionTimeouts.Expiry.allCases.map { expiry in
            Counter(label: "rpc_server_connection_timeouts_total", dimensions: [("kind", expiry.rawValue)])
        }
    }

    func recordOpen(_ count: Int) { open.record(count) }
    func recordRejected() { rejected.increment() }
    func recordAuthenticationFailure() { authenticationFailures.increment() }

    func recordTimeout(_ expiry: ServerConnectionTimeouts.Expiry) {
        if let index = ServerConnectionTimeouts.Expiry.allCases.firstIndex(of: expiry) { timeouts[index].increment() }
    }
}
