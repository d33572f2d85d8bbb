import AppServerProtocol
import NIOCore
import NIOHTTP1
import RPC

/// Turns a client's HTTP request into the envelope a worker receives: hop-by-hop headers
/// removed, the edge's forwarding headers set, and who/where the client is spelled out so the
/// worker can build absolute links without trusting headers itself.
struct UpstreamRequestBuilder: Sendable {
    var trustedProxies: TrustedProxies
    /// The edge's own port, used when the client sent no `Host` (HTTP/1.0).
    var listenPort: Int
    /// How clients reach the edge itself: "https" when it terminates TLS.
    var listenScheme = "http"

    /// The forwarding headers the edge owns; a client's copies are dropped, a trusted proxy's
    /// are read here and re-set below.
    private static let owned: Set<String> = [
        "x-forwarded-for", "x-real-ip", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-request-id",
    ]

    func envelope(
        head: HTTPRequestHead, body: ByteBuffer, peer: String, forwardedFor: ForwardedFor, requestID: String
    ) -> HTTPEnvelopeRequest {
        let trusted = trustedProxies.trusts(peer)
        let headers = head.headers

        var scheme = listenScheme
        if trusted, let proto = headers.firstListElement(name: "x-forwarded-proto")?.trimmingOptionalWhitespace().lowercased(),
            proto == "http" || proto == "https"
        {
            scheme = proto
        }
        let forwardedHost = trusted ? headers.firstListElement(name: "x-forwarded-host").flatMap(HostHeader.init) : nil
        let authority = forwardedHost ?? headers.first(name: "host").flatMap(HostHeader.init)
        let host = authority?.host ?? "localhost"
        var port = authority?.port
        if port == nil, trusted, let text = headers.firstListElement(name: "x-forwarded-port"),
            let value = Int(text.trimmingOptionalWhitespace()),
            (1...65535).contains(value)
        {
            port = value
        }
        let resolvedPort = port ?? (authority == nil ? listenPort : HostHeader.defaultPort(forScheme: scheme))

        let isHopByHop = HopByHopHeaders.matcher(for: headers)
        var fields: [HTTPHeaderField] = []
        fields.reserveCapacity(headers.count + 6)
        for (name, value) in headers where !isHopByHop(name) && !Self.owned.contains(name.lowercased()) {
            fields.append(HTTPHeaderField(name: name, value: value))
        }
        if body.readableBytes > 0 || head.method == .POST || head.method == .PUT || head.method == .PATCH {
            fields.append(HTTPHeaderField(name: "Content-Length", value: String(body.readableBytes)))
        }
        let hostValue = resolvedPort == HostHeader.defaultPort(forScheme: scheme) ? host : "\(bracketed(host)):\(resolvedPort)"
        fields.append(HTTPHeaderField(name: "X-Forwarded-For", value: forwardedFor.header))
        fields.append(HTTPHeaderField(name: "X-Real-IP", value: forwardedFor.clientAddress))
        fields.append(HTTPHeaderField(name: "X-Forwarded-Proto", value: scheme))
        fields.append(HTTPHeaderField(name: "X-Forwarded-Host", value: hostValue))
        fields.append(HTTPHeaderField(name: "X-Forwarded-Port", value: String(resolvedPort)))
        fields.append(HTTPHeaderField(name: RequestID.headerName, value: requestID))

        return HTTPEnvelopeRequest(
            method: head.method.rawValue, target: head.uri, headers: fields, body: body,
            clientAddress: forwardedFor.clientAddress, scheme: scheme, host: host, port: resolvedPort)
    }

    private func bracketed(_ host: String) -> String {
        // Bytes: `String.contains(String)` goes through Foundation's string search.
        host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
    }
}

extension HTTPHeaders {
    /// The first field's whole value; dates contain commas, so no list splitting here.
    func first(name: String) -> String? {
        self[name].first
    }

    /// The first element of a comma-separated list header (the client-facing hop of
    /// `X-Forwarded-Host: a, b`).
    func firstListElement(name: String) -> String? {
        self[canonicalForm: name].first.map(String.init)
    }
}
