import NIOPosix
import ServiceKit

/// What every connection of the edge shares: configuration and the request-handling parts.
/// Immutable and Sendable; per-connection state lives in ``HTTPConnectionHandler``.
package struct EdgeApplication: Sendable {
    let configuration: HTTPServerConfiguration
    let staticFiles: StaticFileResolver
    let staticCache: StaticFileCache
    /// Where blocking file-system calls run.
    let fileThreadPool: NIOThreadPool
    let upstreamRoutes: UpstreamRoutes
    /// One per upstream route, in its order.
    let proxies: [APIProxy]
    let upstreamRequests: UpstreamRequestBuilder
    let trustedProxies: TrustedProxies
    let admission: RequestAdmission
    /// Requests per client address (`--rate-limit`); nil when off.
    let rateLimiter: ClientRateLimiter?
    let bodyBudget: RequestBodyBudget
    /// nil when `--max-connections-per-address` is 0.
    let connectionsPerAddress: ConnectionsPerAddress?
    let maintenance: MaintenanceSwitch?
    let accessLog: AccessLog
    let metrics: EdgeMetrics
}
