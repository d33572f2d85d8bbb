import Metrics
import NIOCore

/// Counts every call a client makes by status and times it, retries included, per target:
/// `rpc_client_calls_total{target,status}`, `rpc_client_call_duration_seconds{target}` and
/// `rpc_client_calls_outstanding{target}`. The instruments are made once, so a call takes no
/// lock and looks nothing up (the server's metrics are the per-method ones).
final class ClientMetricsInterceptor: RPCClientInterceptor {
    private let callsByStatus: [Counter]
    private let latency: Timer
    /// A meter: concurrent calls change it atomically, so it never shows a stale count.
    private let outstanding: Meter

    init(target: String) {
        callsByStatus = RPCStatusCode.allCases.map { status in
            Counter(label: "rpc_client_calls_total", dimensions: [("target", target), ("status", status.description)])
        }
        latency = Timer(label: "rpc_client_call_duration_seconds", dimensions: [("target", target)], preferredDisplayUnit: .seconds)
        outstanding = Meter(label: "rpc_client_calls_outstanding", dimensions: [("target", target)])
    }

    func intercept(
        _ request: RPCClientRequest, next: (RPCClientRequest) async throws -> RPCClientResponse
    ) async throws -> RPCClientResponse {
        let start = NIODeadline.now()
        outstanding.increment()
        defer { outstanding.decrement() }
        do {
            let response = try await next(request)
            record(.ok, since: start)
            return response
        } catch let error as RPCError {
            record(error.code, since: start)
            throw error
        } catch {
            record(.cancelled, since: start)
            throw error
        }
    }

    private func record(_ status: RPCStatusCode, since start: NIODeadline) {
        callsByStatus[Int(status.rawValue)].increment()
        latency.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
    }
}
