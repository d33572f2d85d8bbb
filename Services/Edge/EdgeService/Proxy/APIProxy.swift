import AppServerProtocol
import RPC

/// Forwards one `/api/` request to a worker within the upstream deadline and reports the time
/// spent waiting on workers. Retries are the RPC client's (the one layer that retries): the
/// request's HTTP method tells it whether a call that may have reached a worker can be repeated.
struct APIProxy: Sendable {
    let upstream: any Upstream
    /// The whole budget for a request, retries included.
    let timeout: Duration

    struct Outcome: Sendable {
        var result: Result<HTTPEnvelopeResponse, UpstreamFailure>
        var upstreamTime: Duration
    }

    func forward(_ request: HTTPEnvelopeRequest, requestID: String) async -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        var metadata = RPCMetadata()
        metadata.requestID = requestID
        do {
            let response = try await upstream.send(
                request, options: RPCCallOptions(timeout: timeout, metadata: metadata, isIdempotent: request.isIdempotent))
            return Outcome(result: .success(response), upstreamTime: clock.now - start)
        } catch {
            return Outcome(result: .failure(UpstreamFailure(error)), upstreamTime: clock.now - start)
        }
    }
}
