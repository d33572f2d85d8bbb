package import AppServerProtocol
package import RPC

/// Where `/api/` requests go. The RPC client in production; the seam also lets tests and
/// benchmarks point the proxy at anything that answers envelopes.
package protocol Upstream: Sendable {
    func send(_ request: HTTPEnvelopeRequest, options: RPCCallOptions) async throws -> HTTPEnvelopeResponse
}

extension RPCClient: Upstream {
    package func send(_ request: HTTPEnvelopeRequest, options: RPCCallOptions) async throws -> HTTPEnvelopeResponse {
        try await call(.handleHTTP, request, options: options)
    }
}
