import NIOPosix
import ServiceKit

/// What every connection of the edge shares: configuration and the request-handling parts.
/// Immutable and Sendable; per-connection state lives in ``HTTPConnectionHandler``.
///
/// A class: every connection, and on HTTP/2 every stream, holds it, and a struct of these
/// fields (the configuration alone has dozens) cost a retain per reference field at each copy.
package final class EdgeApplication: Sendable {
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

    init(
        configuration: HTTPServerConfiguration, staticFiles: StaticFileResolver, staticCache: StaticFileCache,
        fileThreadPool: NIOThreadPool, upstreamRoutes: UpstreamRoutes, proxies: [APIProxy], upstreamRequests: UpstreamRequestBuilder,
        trustedProxies: TrustedProxies, admission: RequestAdmission, rateLimiter: ClientRateLimiter?, bodyBudget: RequestBodyBudget,
        connectionsPerAddress: ConnectionsPerAddress?, maintenance: MaintenanceSwitch?, accessLog: AccessLog, metrics: EdgeMetrics
    ) {
        self.configuration = configuration
        self.staticFiles = staticFiles
        self.staticCache = staticCache
        self.fileThreadPool = fileThreadPool
        self.upstreamRoutes = upstreamRoutes
        self.proxies = proxies
        self.upstreamRequests = upstreamRequests
        self.trustedProxies = trustedProxies
        self.admission = admission
        self.rateLimiter = rateLimiter
        self.bodyBudget = bodyBudget
        self.connectionsPerAddress = connectionsPerAddress
        self.maintenance = maintenance
        self.accessLog = accessLog
        self.metrics = metrics
    }
}
