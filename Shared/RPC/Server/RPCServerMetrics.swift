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
