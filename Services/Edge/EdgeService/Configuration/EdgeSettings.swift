import AppServerProtocol
import ServiceKit

/// The edge's own settings: every flag, its environment variable and default, in the order
/// `--help` lists them.
enum EdgeSettings {
    static let tlsCertificate = Setting<String>.string(
        "tls-certificate", env: "TLS_CERTIFICATE", default: "", placeholder: "<path>",
        help:
            "PEM certificate chain of the public listener; with --tls-key it speaks TLS 1.2/1.3 and HTTP/2 or HTTP/1.1 (ALPN). SIGHUP re-reads both."
    )
    static let tlsKey = Setting<String>.string(
        "tls-key", env: "TLS_KEY", default: "", placeholder: "<path>",
        help: "PEM private key of --tls-certificate.")

    /// The certificate and key, read once here so that a missing or bad file is a
    /// configuration error at start rather than a failure of every handshake; nil without TLS.
    static func tls(for config: HTTPServerConfiguration, from reader: inout ConfigReader) -> TLSContextStore? {
        guard config.isTLSEnabled else { return nil }
        do {
            return try TLSContextStore(certificatePath: config.tlsCertificate, keyPath: config.tlsKey)
        } catch {
            switch error {
            case .key: reader.reject(tlsKey, because: "\(error)")
            case .certificate, .mismatch: reader.reject(tlsCertificate, because: "\(error)")
            }
            return nil
        }
    }

    static func read(from reader: inout ConfigReader) -> HTTPServerConfiguration {
        let defaults = HTTPServerConfiguration()
        var config = defaults
        config.listen = reader.read(
            .hostPort(
                "http-listen", env: "HTTP_LISTEN", default: defaults.listen,
                help: "Address and port of the public HTTP listener."))
        config.tlsCertificate = reader.read(tlsCertificate)
        config.tlsKey = reader.read(tlsKey)
        if config.tlsCertificate.isEmpty != config.tlsKey.isEmpty {
            reader.reject(
                config.tlsCertificate.isEmpty ? tlsCertificate : tlsKey,
                because: "TLS needs both --tls-certificate and --tls-key (or neither, for plain HTTP)")
        }
        config.http2MaximumConcurrentStreams = reader.read(
            .int(
                "http2-max-concurrent-streams", env: "HTTP2_MAX_CONCURRENT_STREAMS", default: defaults.http2MaximumConcurrentStreams,
                range: 1...10_000,
                help: "Requests (streams) an HTTP/2 connection may have open at once; a client opening more is answered GOAWAY and closed.")
        )

        config.staticRoot = reader.read(
            .string(
                "static-root", env: "STATIC_ROOT", default: defaults.staticRoot, placeholder: "<path>",
                help: "Folder served under /static/ (and / as its index.html)."))
        config.staticListing = reader.read(
            .bool(
                "static-listing", env: "STATIC_LISTING", default: defaults.staticListing,
                help: "List directories without an index.html."))
        config.staticGzip = reader.read(
            .bool(
                "static-gzip", env: "STATIC_GZIP", default: defaults.staticGzip,
                help: "Serve a file's precompressed .gz sibling to clients accepting gzip."))
        config.staticCacheControl = reader.read(
            .string(
                "static-cache-control", env: "STATIC_CACHE_CONTROL", default: defaults.staticCacheControl,
                help: "Cache-Control header of static responses, e.g. \"public, max-age=3600\"; empty sends none."))
        config.staticCacheTTL = reader.read(
            .duration(
                "static-cache-ttl", env: "STATIC_CACHE_TTL", default: defaults.staticCacheTTL,
                help: "How long files up to 64 KiB are served from memory before being looked up again; 0 turns this off."))

        config.maximumHeaderSize = reader.read(
            .int(
                "max-header-size", env: "MAX_HEADER_SIZE", default: defaults.maximumHeaderSize, range: 1024...(1 << 20),
                help: "Largest request head (request line and headers) in bytes; larger is answered 431."))
        config.maximumBodySize = reader.read(
            .int(
                "max-body-size", env: "MAX_BODY_SIZE", default: defaults.maximumBodySize, range: 0...HTTPEnvelopeRequest.maximumBodySize,
                help: "Largest request body in bytes; larger is answered 413. At most what a worker accepts (the default)."))
        let budgetSetting = Setting<Int>.int(
            "request-body-budget", env: "REQUEST_BODY_BUDGET", default: defaults.requestBodyBudget, range: 0...(1 << 40),
            help: "Bytes of /api/ request bodies held in memory across all connections; a request that would pass it is answered 503.")
        config.requestBodyBudget = reader.read(budgetSetting)
        if config.requestBodyBudget < config.maximumBodySize {
            reader.reject(
                budgetSetting,
                because: "must be at least --max-body-size (\(config.maximumBodySize)), or no body of that size could ever be read")
        }
        config.rateLimit = reader.read(
            .int(
                "rate-limit", env: "RATE_LIMIT", default: defaults.rateLimit, range: 0...1_000_000,
                help: "Requests per second allowed per client address (429 beyond); 0 turns the limit off."))
        config.rateLimitBurst = reader.read(
            .int(
                "rate-limit-burst", env: "RATE_LIMIT_BURST", default: defaults.rateLimitBurst, range: 1...1_000_000,
                help: "Requests a client may make at once before --rate-limit applies."))
        config.rateLimitTrackedClients = reader.read(
            .int(
                "rate-limit-tracked-clients", env: "RATE_LIMIT_TRACKED_CLIENTS", default: defaults.rateLimitTrackedClients,
                range: 1...10_000_000,
                help: "Client addresses --rate-limit keeps a bucket for; beyond, new addresses share one bucket."))
        config.maximumConnections = reader.read(
            .int(
                "max-connections", env: "MAX_CONNECTIONS", default: defaults.maximumConnections, range: 1...1_000_000,
                help: "Open client connections; more are answered 503 and closed."))
        config.maximumConnectionsPerAddress = reader.read(
            .int(
                "max-connections-per-address", env: "MAX_CONNECTIONS_PER_ADDRESS", default: defaults.maximumConnectionsPerAddress,
                range: 0...1_000_000,
                help: "Open connections per client address (trusted proxies exempt); more are answered 429 and closed. 0 turns the cap off."
            ))
        config.maximumPipelinedRequests = reader.read(
            .int(
                "max-pipelined-requests", env: "MAX_PIPELINED_REQUESTS", default: defaults.maximumPipelinedRequests, range: 1...1_000_000,
                help: "Requests a connection may send ahead of their answers; one more and those are answered, the connection closed."))
        config.writeBufferLimit = reader.read(
            .int(
                "write-buffer-limit", env: "WRITE_BUFFER_LIMIT", default: defaults.writeBufferLimit, range: 4096...(64 << 20),
                help: "Unsent response bytes per connection past which it is neither read nor answered until half have gone out."))

        config.headerTimeout = reader.read(
            .duration(
                "header-timeout", env: "HEADER_TIMEOUT", default: defaults.headerTimeout,
                help: "Time a client has to send a complete request head (slowloris protection)."))
        config.bodyTimeout = reader.read(
            .duration(
                "body-timeout", env: "BODY_TIMEOUT", default: defaults.bodyTimeout,
                help: "Longest pause between two reads of a request body."))
        let requestTimeoutSetting = Setting<Duration>.duration(
            "request-timeout", env: "REQUEST_TIMEOUT", default: defaults.requestTimeout,
            help: "Time a client has to send a whole request (head and body) from its first byte; 408 after it.")
        config.requestTimeout = reader.read(requestTimeoutSetting)
        if config.requestTimeout <= .zero {
            // Read as "off" it would instead refuse every request.
            reader.reject(requestTimeoutSetting, because: "must be longer than 0")
        }
        config.keepaliveTimeout = reader.read(
            .duration(
                "keepalive-timeout", env: "KEEPALIVE_TIMEOUT", default: defaults.keepaliveTimeout,
                help: "How long an idle keep-alive connection stays open."))
        config.sendTimeout = reader.read(
            .duration(
                "send-timeout", env: "SEND_TIMEOUT", default: defaults.sendTimeout,
                help: "How long a client may take none of a response before its connection is closed."))

        let trustedSetting = Setting<String>.string(
            "trusted-proxies", env: "TRUSTED_PROXIES", default: defaults.trustedProxies, placeholder: "<cidr,...>",
            help: "Proxies whose X-Forwarded-For/-Proto/-Host are believed, as addresses or CIDR ranges.")
        config.trustedProxies = reader.read(trustedSetting)
        if TrustedProxies(parsing: config.trustedProxies) == nil {
            reader.reject(trustedSetting, because: "expected comma-separated addresses or CIDR ranges")
        }

        config.maintenanceFile = reader.read(
            .string(
                "maintenance-file", env: "MAINTENANCE_FILE", default: defaults.maintenanceFile, placeholder: "<path>",
                help: "While this file exists, /api/ answers 503 with its content (JSON for JSON clients); empty turns this off."))

        config.accessLog = reader.read(
            .bool(
                "access-log", env: "ACCESS_LOG", default: defaults.accessLog,
                help: "Log one line per request."))
        config.accessLogFormat = reader.read(
            .choice(
                "access-log-format", env: "ACCESS_LOG_FORMAT", default: AccessLogFormat.text,
                help: "Access log lines: nginx-like text, or json (fields as metadata; a JSON object with --log-format json)."))
        config.serverTiming = reader.read(
            .choice(
                "server-timing", env: "SERVER_TIMING", default: defaults.serverTiming,
                help: "Which /api/ clients get a Server-Timing header (edge, upstream, app, db): none, --trusted-proxies, or all."))
        config.upstreamConcurrency = ConcurrencyLimitSettings.read(
            prefix: "upstream", envPrefix: "UPSTREAM", what: "requests to the workers (per upstream route)",
            defaults: defaults.upstreamConcurrency, from: &reader)
        return config
    }
}
