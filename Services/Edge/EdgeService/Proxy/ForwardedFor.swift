import RPC

/// Who the client is and what `X-Forwarded-For` to send on, nginx's `realip` +
/// `$proxy_add_x_forwarded_for` in one rule:
///
/// - a peer that is not a trusted proxy is the client; whatever it claims in
///   `X-Forwarded-For` is dropped, so a client cannot forge its address;
/// - a trusted peer's list is kept and the peer appended; the client is the rightmost entry
///   that is not itself a trusted proxy (nginx's `real_ip_recursive on`).
struct ForwardedFor: Sendable, Equatable {
    /// The address rate limits, logs and the worker should attribute the request to.
    var clientAddress: String
    /// The `X-Forwarded-For` value to send upstream.
    var header: String

    init(peer: String, incoming: [String], trusted: TrustedProxies) {
        guard trusted.trusts(peer) else {
            self.clientAddress = peer
            self.header = peer
            return
        }
        let chain = incoming.flatMap { $0.split(separator: ",") }.map { String($0.trimmingOptionalWhitespace()) }.filter { !$0.isEmpty }
        let client = chain.reversed().first { !trusted.trusts($0) } ?? chain.first ?? peer
        // A garbage entry is not an address; attributing requests to it would let a misconfigured
        // proxy chain poison rate limits, so fall back to the peer.
        self.clientAddress = IPAddress(client) != nil ? client : peer
        self.header = (chain + [peer]).joined(separator: ", ")
    }
}
