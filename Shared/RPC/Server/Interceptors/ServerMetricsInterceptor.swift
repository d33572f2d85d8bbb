import Metrics
import NIOCore

/// Counts every call by method and status and times it: `rpc_server_calls_total{method,status}`
/// and `rpc_server_call_duration_seconds{method}`. Instruments are made once per method when
/// the server starts; making them per call would take the metrics factory's lock.
struct ServerMetricsInterceptor: RPCServerInterceptor {
    private let instruments: [String: MethodMetrics]

    init(methods: [String]) {
        instruments = Dictionary(uniqueKeysWithValues: methods.map { ($0, MethodMetrics(method: $0)) })
    }

    func intercept(
        _ context: RPCCallContext, next: (RPCCallContext) async throws -> RPCEncodedResponse
    ) async throws -> RPCEncodedResponse {
        let start = NIODeadline.now()
        do {
            let response = try await next(context)
            instruments[context.method]?.record(status: .ok, nanoseconds: (NIODeadline.now() - start).nanoseconds)
            return response
        } catch {
            let status = RPCCallDispatcher.rpcError(for: error, context: context).code
            instruments[context.method]?.record(status: status, nanoseconds: (NIODeadline.now() - start).nanoseconds)
            throw error
        }
    }
}
