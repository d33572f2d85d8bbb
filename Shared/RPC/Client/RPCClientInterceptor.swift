/// Work around every call a client makes: metrics, logging, propagation, retries. Interceptors
/// run in order, the first outermost; `next` may be called more than once (a retry) or not at
/// all (an answer from a cache, a refusal).
public protocol RPCClientInterceptor: Sendable {
    func intercept(
        _ request: RPCClientRequest,
        next: (RPCClientRequest) async throws -> RPCClientResponse
    ) async throws -> RPCClientResponse
}
