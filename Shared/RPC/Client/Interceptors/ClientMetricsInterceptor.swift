import Metrics
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Counts every call by method and status and times it, retries included:
/// `rpc_client_calls_total{method,status}`, `rpc_client_call_duration_seconds{method}`, and
/// `rpc_client_calls_outstanding`. Instruments are made once per method name.
final class ClientMetricsInterceptor: RPCClientInterceptor {
    private struct Instruments {
        let callsByStatus: [Counter]
        let latency: Timer
    }

    private let instruments = NIOLockedValueBox([String: Instruments]())
    private let outstanding = Gauge(label: "rpc_client_calls_outstanding")
    private let outstandingCount = Atomic<Int>(0)

    func intercept(
        _ request: RPCClientRequest, next: (RPCClientRequest) async throws -> RPCClientResponse
    ) async throws -> RPCClientResponse {
        let method = instruments(for: request.method)
        let start = NIODeadline.now()
        adjustOutstanding(by: 1)
        defer { adjustOutstanding(by: -1) }
        do {
            let response = try await next(request)
            record(method, status: .ok, since: start)
            return response
        } catch let error as RPCError {
            record(method, status: error.code, since: start)
            throw error
        } catch is CancellationError {
            record(method, status: .cancelled, since: start)
            throw CancellationError()
        }
    }

    private func record(_ method: Instruments, status: RPCStatusCode, since start: NIODeadline) {
        method.callsByStatus[Int(status.rawValue)].increment()
        method.latency.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
    }

    private func adjustOutstanding(by delta: Int) {
        outstanding.record(outstandingCount.wrappingAdd(delta, ordering: .relaxed).newValue)
    }

    private func instruments(for method: String) -> Instruments {
        if let existing = instruments.withLockedValue({ $0[method] }) { return existing }
        let made = Instruments(
            callsByStatus: RPCStatusCode.allCases.map { status in
                Counter(label: "rpc_client_calls_total", dimensions: [("method", method), ("status", status.description)])
            },
            latency: Timer(label: "rpc_client_call_duration_seconds", dimensions: [("method", method)], preferredDisplayUnit: .seconds))
        return instruments.withLockedValue { all in
            if let existing = all[method] { return existing }
            all[method] = made
            return made
        }
    }
}
