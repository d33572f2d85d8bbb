package import Logging
import NIOCore
import NIOPosix
public import RPC
public import ServiceKit
import ServiceLifecycle
package import Tracing

/// The edge: the HTTP front server (nginx's role). Serves static files, forwards `/api/` to
/// the workers over the RPC, and enforces the limits in front of them.
public enum EdgeService {
    public static let defaultAdminPort = 9100

    public struct Configuration: Sendable {
        /// The app servers behind `/api/`.
        public var workerTarget: RPCTarget
        /// Its `defaultTimeout` (`--worker-timeout`) is the upstream deadline of a request;
        /// every upstream route is called with these settings.
        public var workerClient: RPCClientConfiguration
        /// More app services behind this edge (`--routes`): path prefix → their target.
        public var routes: [EdgeUpstreamRoute]
        public var http: HTTPServerConfiguration
        /// The certificate and key, loaded; nil serves plain HTTP/1.1.
        package var tls: TLSContextStore?

        /// `/api/` first, then `--routes`, in the order the edge's upstream indices use.
        var upstreamTargets: [EdgeUpstreamRoute] {
            [EdgeUpstreamRoute(prefix: UpstreamRoutes.apiPrefix, target: workerTarget)] + routes
        }
    }

    public static func configure(_ reader: inout ConfigReader) -> Configuration {
        let secret = RPCSettings.secret(from: &reader)
        let (target, client) = RPCSettings.client(for: "worker", from: &reader, defaultTarget: "dns://worker:\(7101)", secret: secret)
        let routes = EdgeSettings.routes(from: &reader)
        let http = EdgeSettings.read(from: &reader)
        let tls = EdgeSettings.tls(for: http, from: &reader)
        return Configuration(workerTarget: target, workerClient: client, routes: routes, http: http, tls: tls)
    }

    public static func main() async -> Never {
        await ServiceMain.run(
            name: "edge", summary: "The edge: the front HTTP server (static files, /api/ to the app servers).",
            defaultAdminPort: defaultAdminPort, configure: configure
        ) { configuration, environment in
            var configuration = configuration
            configuration.http.maximumConnections = connectionLimit(configuration.http.maximumConnections, logger: environment.logger)
            let clients = configuration.upstreamTargets.map { route in
                RPCClient(
                    target: route.target, configuration: configuration.workerClient, tracer: environment.tracer,
                    headSampler: environment.headSampler, logger: environment.logger)
            }
            let maintenance =
                configuration.http.maintenanceFile.isEmpty
                ? nil : MaintenanceSwitch(path: configuration.http.maintenanceFile, logger: environment.logger)
            let readiness = environment.readiness
            readiness.set("http", ready: false)
            let app = makeApplication(
                configuration.http,
                upstreams: zip(configuration.upstreamTargets, clients).map { ($0.prefix, $1 as any Upstream) },
                upstreamTimeout: configuration.workerClient.defaultTimeout,
                maintenance: maintenance, tracer: environment.tracer, headSampler: environment.headSampler,
                logger: environment.logger)
            let server = HTTPServer(
                app: app,
                tls: configuration.tls,
                onListening: { _ in readiness.set("http", ready: true) },
                logger: environment.logger)
            // Shutdown runs in reverse: the HTTP server drains first, while the workers' client
            // still answers the requests in flight.
            let reloader = configuration.tls.map { TLSReloader(store: $0, logger: environment.logger) }
            let limiters: [any Service] = app.proxies.compactMap(\.limiter)
            return clients as [any Service] + (maintenance.map { [$0] } ?? []) + (reloader.map { [$0] } ?? []) + limiters + [server]
        }
    }

    /// Descriptors kept free beside client connections: the listener and admin listener,
    /// connections to workers, static files being sent, the event loops' own.
    static func reservedDescriptors(softLimit: Int) -> Int {
        max(64, softLimit / 8)
    }

    /// `--max-connections`, lowered (with a warning) to what the process can open: past the
    /// open-file limit `accept` fails and new clients would hang instead of getting 503.
    static func connectionLimit(_ configured: Int, logger: Logger) -> Int {
        guard let limits = OpenFileLimit.current() else { return configured }
        let capacity = max(1, limits.soft - reservedDescriptors(softLimit: limits.soft))
        guard configured > capacity else { return configured }
        logger.warning(
            "--max-connections is more than this process can open; lowered to fit its open-file limit",
            metadata: ["max-connections": "\(configured)", "open-file-limit": "\(limits.soft)", "lowered-to": "\(capacity)"])
        return capacity
    }

    /// One upstream behind `/api/`.
    package static func makeApplication(
        _ configuration: HTTPServerConfiguration, upstream: any Upstream, upstreamTimeout: Duration,
        maintenance: MaintenanceSwitch?, tracer: (any Tracer)? = nil, headSampler: HeadSampler? = nil, logger: Logger
    ) -> EdgeApplication {
        makeApplication(
            configuration, upstreams: [(UpstreamRoutes.apiPrefix, upstream)], upstreamTimeout: upstreamTimeout,
            maintenance: maintenance, tracer: tracer, headSampler: headSampler, logger: logger)
    }

    /// - Parameter upstreams: path prefix and app servers of each upstream route.
    package static func makeApplication(
        _ configuration: HTTPServerConfiguration, upstreams: [(prefix: String, upstream: any Upstream)], upstreamTimeout: Duration,
        maintenance: MaintenanceSwitch?, tracer: (any Tracer)? = nil, headSampler: HeadSampler? = nil, logger: Logger
    ) -> EdgeApplication {
        var accessLogger = logger
        accessLogger[metadataKey: "log"] = "access"
        let trustedProxies = TrustedProxies(parsing: configuration.trustedProxies) ?? .none
        return EdgeApplication(
            configuration: configuration,
            staticFiles: StaticFileResolver(
                folder: configuration.staticRoot, listingEnabled: configuration.staticListing, gzipEnabled: configuration.staticGzip),
            staticCache: StaticFileCache(ttl: configuration.staticCacheTTL),
            fileThreadPool: NIOThreadPool.singleton,
            upstreamRoutes: UpstreamRoutes(prefixes: upstreams.map(\.prefix)),
            proxies: upstreams.map { route in
                APIProxy(
                    upstream: route.upstream, timeout: upstreamTimeout, tracer: tracer, headSampler: headSampler,
                    limiter: configuration.upstreamConcurrency.configuration.map {
                        ConcurrencyLimiter(configuration: $0, metricPrefix: "edge_upstream", dimensions: [("route", route.prefix)])
                    })
            },
            upstreamRequests: UpstreamRequestBuilder(
                trustedProxies: trustedProxies, listenPort: configuration.listen.port,
                listenScheme: configuration.isTLSEnabled ? "https" : "http"),
            trustedProxies: trustedProxies,
            admission: RequestAdmission(maximumHeaderSize: configuration.maximumHeaderSize, maximumBodySize: configuration.maximumBodySize),
            rateLimiter: configuration.rateLimit > 0
                ? ClientRateLimiter(
                    ratePerSecond: configuration.rateLimit, burst: configuration.rateLimitBurst,
                    trackedClients: configuration.rateLimitTrackedClients) : nil,
            bodyBudget: RequestBodyBudget(limit: configuration.requestBodyBudget),
            connectionsPerAddress: configuration.maximumConnectionsPerAddress > 0
                ? ConnectionsPerAddress(limit: configuration.maximumConnectionsPerAddress, exempt: trustedProxies) : nil,
            maintenance: maintenance,
            accessLog: AccessLog(logger: configuration.accessLog ? accessLogger : nil, format: configuration.accessLogFormat),
            metrics: EdgeMetrics())
    }
}
