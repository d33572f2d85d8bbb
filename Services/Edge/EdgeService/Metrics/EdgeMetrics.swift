import Metrics

/// Request counts and durations for `/metrics`, split the way an operator reads an nginx:
/// static vs API, and status class. Instruments are created once; looking them up per
/// request would take the metrics factory's lock on the hot path.
///
/// A class: every connection's handlers reach it on every request, and a struct of these
/// ~30 instrument references was copied and destroyed along the way (a retain and a release
/// of each per copy, ~1.7 % of the edge's samples serving a static file).
final class EdgeMetrics: Sendable {
    enum Kind: Int, CaseIterable, Sendable {
        case staticFile = 0
        case api = 1
        /// Refused before routing (bad path, 404, 405, limits).
        case other = 2

        var label: String {
            switch self {
            case .staticFile: "static"
            case .api: "api"
            case .other: "other"
            }
        }
    }

    private static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]
    /// `[kind][status class]`
    private let requests: [[Counter]]
    private let durations: [Timer]
    private let upstreamDuration: Timer
    /// `[kind]`: bytes of response bodies sent (`http_response_body_bytes_total{kind}`).
    private let responseBodyBytes: [Counter]
    /// Open client connections, refused ones not counted (`http_connections_open`).
    let openConnections = Meter(label: "http_connections_open")
    /// Requests whose head has arrived and whose response is not yet sent (`http_requests_in_flight`).
    let requestsInFlight = Meter(label: "http_requests_in_flight")
    /// Bytes of request bodies received (`http_request_body_bytes_total`).
    let requestBodyBytes = Counter(label: "http_request_body_bytes_total")
    /// Connections that pipelined more than `--max-pipelined-requests`.
    let pipelineOverflows = Counter(label: "http_pipeline_overflows_total")
    /// Times a connection's unsent responses passed `--write-buffer-limit` and it was paused.
    let writeBufferFull = Counter(label: "http_write_buffer_full_total")
    /// Connections closed because their client took nothing for `--send-timeout`.
    let sendTimeouts = Counter(label: "http_send_timeouts_total")
    /// Requests not received whole within `--request-timeout` of their first byte.
    let requestTimeouts = Counter(label: "http_request_timeouts_total")
    /// Connections answered at accept and closed: the server was full (`--max-connections`).
    let refusedServerFull = Counter(label: "http_connections_refused_total", dimensions: [("reason", "max_connections")])
    /// … or their address already held `--max-connections-per-address`.
    let refusedPerAddress = Counter(label: "http_connections_refused_total", dimensions: [("reason", "per_address")])
    /// TLS handshakes that failed: plain HTTP or garbage on the TLS port, no common version or
    /// cipher, a client's alert (`tls_handshake_failures_total`).
    let tlsHandshakeFailures = Counter(label: "tls_handshake_failures_total")
    /// TLS connections by the protocol ALPN chose (`tls_connections_total{protocol}`); a
    /// client offering none counts as HTTP/1.1, which it then speaks.
    let tlsConnectionsHTTP2 = Counter(label: "tls_connections_total", dimensions: [("protocol", "h2")])
    let tlsConnectionsHTTP1 = Counter(label: "tls_connections_total", dimensions: [("protocol", "http/1.1")])

    init() {
        requests = Kind.allCases.map { kind in
            Self.statusClasses.map { statusClass in
                Counter(label: "http_requests_total", dimensions: [("kind", kind.label), ("status", statusClass)])
            }
        }
        durations = Kind.allCases.map { kind in
            Timer(label: "http_request_duration_seconds", dimensions: [("kind", kind.label)], preferredDisplayUnit: .seconds)
        }
        upstreamDuration = Timer(label: "http_upstream_duration_seconds", preferredDisplayUnit: .seconds)
        responseBodyBytes = Kind.allCases.map { kind in
            Counter(label: "http_response_body_bytes_total", dimensions: [("kind", kind.label)])
        }
    }

    func record(kind: Kind, status: Int, duration: Duration, upstream: Duration?, bodyBytes: Int) {
        let statusClass = min(max(status / 100, 1), 5) - 1
        requests[kind.rawValue][statusClass].increment()
        if bodyBytes > 0 { responseBodyBytes[kind.rawValue].increment(by: bodyBytes) }
        durations[kind.rawValue].recordNanoseconds(Self.nanoseconds(duration))
        if let upstream { upstreamDuration.recordNanoseconds(Self.nanoseconds(upstream)) }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }
}

extension EdgeRoute {
    var metricsKind: EdgeMetrics.Kind {
        switch self {
        case .upstream: .api
        case .staticFile: .staticFile
        default: .other
        }
    }
}
