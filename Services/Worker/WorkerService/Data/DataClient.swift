import AppServer
import Hummingbird
import Logging
import MicropostsModels
import NIOCore
import RPC

/// Calls the data service on behalf of one HTTP request: with the request's remaining
/// deadline capped by the `--data-timeout` (so the data service stops working when nobody
/// waits any more, and a stuck call ends before the edge gives up on the whole request) and
/// its request id and trace context (so both services' log lines of one request correlate).
struct DataClient: Sendable {
    let rpc: RPCClient
    /// The longest any one call may take, whatever the request's own deadline.
    let timeout: Duration

    /// Calls `method`; an ``RPCError`` becomes the ``APIError`` the client should see, unless
    /// `refine` knows better for this call (e.g. wrong credentials are a 400 at the token endpoint).
    /// `caller` names the user the data service counts an expensive call (search, timeline) against.
    func call<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        context: AppRequestContext,
        caller: String? = nil,
        refine: (RPCError) -> APIError? = { _ in nil }
    ) async throws -> Response {
        var metadata = RPCMetadata()
        metadata.requestID = context.requestID
        metadata.traceparent = context.traceparent
        // Only the calls the data service rations per user name one; the rest skip the bytes.
        if let caller { metadata.caller = caller }
        var timeout = self.timeout
        if let remaining = context.deadline.map({ $0 - .now() }) {
            guard remaining > .zero else { throw APIError.timeout("The request took too long to complete.") }
            timeout = min(timeout, .nanoseconds(remaining.nanoseconds))
        }
        let started = ContinuousClock.now
        defer { context.serverTiming?.record(database: ContinuousClock.now - started) }
        do {
            return try await rpc.call(method, request, options: RPCCallOptions(timeout: timeout, metadata: metadata))
        } catch let error as RPCError {
            throw refine(error) ?? APIError.from(error, isIdempotent: method.isIdempotent, logger: context.logger)
        }
    }
}
