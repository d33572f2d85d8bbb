import NIOHTTP1

/// A response as ``HTTPConnectionHandler`` hands it on: whole, in one write. On HTTP/1.1,
/// ``HTTPPipeliningHandler`` encodes it into one buffer (the file behind it, if any, follows);
/// on an HTTP/2 stream, ``HTTP2ResponseParts`` writes it as the codec's parts.
struct EdgeResponse {
    var status: HTTPResponseStatus
    /// Every field, in order, the framing ones (`Content-Length`, `Connection`) included: the
    /// connection handler frames each response itself. Names are the edge's own or passed
    /// ``UpstreamHeaderCheck``.
    var fields: [(String, String)]
    var body: ResponseBody

    /// A 1xx response (100 Continue): the final one follows it.
    var isInformational: Bool { status.code < 200 }

    /// Makes the response say `Connection: close`, in place of any `Connection` field it has.
    mutating func close() {
        fields.removeAll { $0.0.utf8.count == 10 && $0.0.lowercased() == "connection" }
        fields.append(("Connection", "close"))
    }
}
