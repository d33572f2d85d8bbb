import NIOCore
import NIOHTTP1

/// A response as ``HTTPConnectionHandler`` hands it on: whole, in one write. On HTTP/1.1,
/// ``HTTPPipeliningHandler`` encodes it into one buffer (the file behind it, if any, follows);
/// on an HTTP/2 stream, ``HTTP2ResponseWriter`` writes it as frames.
///
/// The fields every response has (`Date`, the framing, the request id) are values rather than
/// entries of `fields`, and a cached file's representation fields come encoded: a static
/// response then builds no list of fields at all.
struct EdgeResponse {
    enum ConnectionField {
        /// No `Connection` field: HTTP/1.1's default, keep-alive.
        case unstated
        case close
        /// Said to an HTTP/1.0 client, whose default is to close.
        case keepAlive
    }

    var status: HTTPResponseStatus
    /// `Date`, the first field; nil only on an interim (1xx) response.
    var date: String?
    /// Fields from their shared encoding, after `Date`: a file's `Content-Type`, `ETag`, ….
    var representation: EncodedFields?
    /// This response's own fields, after the representation's. Names are the edge's own or
    /// passed ``UpstreamHeaderCheck``, never `Content-Length` or `Connection`, which the
    /// properties below hold.
    var fields: [(String, String)]
    /// `Content-Length`; nil for responses that have none (1xx, 304).
    var contentLength: Int?
    /// `X-Request-ID`.
    var requestID: String?
    var connection: ConnectionField
    var body: ResponseBody

    init(
        status: HTTPResponseStatus, date: String? = nil, representation: EncodedFields? = nil, fields: [(String, String)],
        contentLength: Int? = nil, requestID: String? = nil, connection: ConnectionField = .unstated, body: ResponseBody
    ) {
        self.status = status
        self.date = date
        self.representation = representation
        self.fields = fields
        self.contentLength = contentLength
        self.requestID = requestID
        self.connection = connection
        self.body = body
    }

    /// A 1xx response (100 Continue): the final one follows it.
    var isInformational: Bool { status.code < 200 }

    /// Makes the response say `Connection: close`.
    mutating func close() {
        connection = .close
    }
}

/// Response fields encoded once and sent with many responses: a cached file's representation
/// headers, shared by every response that serves it whole.
final class EncodedFields: Sendable {
    let list: [(String, String)]
    /// `Name: value\r\n` for each, in order.
    let http1: ByteBuffer
    /// The list with its names in lower case, as HTTP/2 sends them.
    let http2: [(String, String)]

    init(_ list: [(String, String)]) {
        self.list = list
        self.http2 = list.map { ($0.0.lowercased(), $0.1) }
        var size = 0
        for (name, value) in list { size += name.utf8.count + 2 + value.utf8.count + 2 }
        var http1 = ByteBuffer()
        http1.reserveCapacity(size)
        for (name, value) in list {
            http1.writeString(name)
            http1.writeStaticString(": ")
            http1.writeString(value)
            http1.writeStaticString("\r\n")
        }
        self.http1 = http1
    }
}
