import AppServerProtocol
import RPC

/// Forwards one `/api/` request to a worker within the upstream deadline, retrying once when
/// ``UpstreamRetryPolicy`` allows, and reports the time spent waiting on workers.
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
        let deadline = start + timeout
        var metadata = RPCMetadata()
        metadata.requestID = requestID
        var attempt = 1
        while true {
            do {
                let remaining = deadline - clock.now
                guard remaining > .zero else { throw RPCError(.deadlineExceeded, "upstream deadline passed") }
                let response = try await upstream.send(request, options: RPCCallOptions(timeout: remaining, metadata: metadata))
                return Outcome(result: .success(response), upstreamTime: clock.now - start)
            } catch let error as RPCError
                where UpstreamRetryPolicy.shouldRetry(after: error, method: request.method, attempt: attempt) && !Task.isCancelled
            {
                attempt += 1
            } catch {
                return Outcome(result: .failure(UpstreamFailure(error)), upstreamTime: clock.now - start)
            }
        }
    }
}
