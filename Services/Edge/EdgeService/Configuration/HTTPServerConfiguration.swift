import AppServerProtocol
public import RPC
public import ServiceKit

/// Everything the edge's HTTP side is configured with; each field is a setting (see
/// ``EdgeSettings``) with an nginx-like default.
public struct HTTPServerConfiguration: Sendable {
    public var listen = HostPort(host: "0.0.0.0", port: 8080)

    // TLS and HTTP/2
    /// PEM certificate chain and private key of the public listener; both empty (the default)
    /// serves plain HTTP/1.1, both set serves TLS with HTTP/2 and HTTP/1.1 by ALPN.
    public var tlsCertificate = ""
    public var tlsKey = ""
    /// Streams an HTTP/2 connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS):
    /// the HTTP/2 counterpart of `maximumPipelinedRequests`, and HTTP/2's advised minimum.
    public var http2MaximumConcurrentStreams = 100
    var isTLSEnabled: Bool { !tlsCertificate.isEmpty && !tlsKey.isEmpty }

    // Static files
    public var staticRoot = "public"
    public var staticListing = false
    public var staticGzip = true
    /// Sent on static responses when not empty.
    public var staticCacheControl = ""
    /// How long small files stay in memory; zero reads every request from disk.
    public var staticCacheTTL: Duration = .seconds(1)

    // Limits
    /// Request line plus header fields, in bytes; more is answered 431.
    public var maximumHeaderSize = 16 * 1024
    /// Request body, in bytes; more is answered 413. What a worker accepts, and at most that.
    public var maximumBodySize = HTTPEnvelopeRequest.maximumBodySize
    /// Bytes of `/api/` request bodies held in memory across all connections; a request that
    /// would pass it is answered 503. 512 bodies of the largest size.
    public var requestBodyBudget = 32 << 20
    /// Requests per second per client address; 0 turns rate limiting off.
    public var rateLimit = 0
    public var rateLimitBurst = 20
    /// Client addresses the rate limiter keeps a bucket for; beyond, newcomers share one, so a
    /// flood from many addresses cannot grow the table without end.
    public var rateLimitTrackedClients = 100_000
    public var maximumConnections = 10_000
    /// Open connections per client (TCP peer) address; more are answered 429 and closed.
    /// 0 turns the cap off. nginx's `limit_conn` is usually set far lower (tens); this
    /// leaves room for a large NAT while one address still cannot take the whole server.
    public var maximumConnectionsPerAddress = 256
    /// Requests a connection may have waiting behind the one being answered (what one read
    /// brought in); one more and those are answered, the rest dropped, the connection closed.
    /// HTTP/2's advised minimum of concurrent streams.
    public var maximumPipelinedRequests = 100
    /// Unsent response bytes per connection past which the edge neither reads nor answers it
    /// until half have gone out: NIO's default high-water mark.
    public var writeBufferLimit = 64 * 1024

    // Timeouts
    public var headerTimeout: Duration = .seconds(10)
    public var bodyTimeout: Duration = .seconds(30)
    /// From a request's first byte until all of it (head and body) is in: the header and
    /// body timeouts bound pauses, and a client trickling a byte now and then pauses little.
    public var requestTimeout: Duration = .seconds(60)
    public var keepaliveTimeout: Duration = .seconds(60)
    /// How long a client may take none of a response (nginx's `send_timeout`).
    public var sendTimeout: Duration = .seconds(60)

    // Forwarding
    public var trustedProxies = ""

    /// Path of the file whose presence means maintenance; empty turns the feature off.
    public var maintenanceFile = ""

    public var accessLog = true
    public var accessLogFormat = AccessLogFormat.text
    public var serverTiming = ServerTimingPolicy.trusted
    /// Requests forwarded to the workers at once, per upstream route (`--upstream-concurrency`…).
    public var upstreamConcurrency = HTTPServerConfiguration.defaultUpstreamConcurrency
    /// The median latency of a forwarded request at full load is a few milliseconds (README's
    /// load test); past 20 ms more in flight adds only waiting.
    public static let defaultUpstreamConcurrency = ConcurrencyLimitSettings(targetLatency: .milliseconds(20))

    public init() {}
}
