public import NIOCore
import NIOFoundationEssentialsCompat
public import RPC

/// One HTTP header line as it travels inside an envelope; order and repeats are kept.
public struct HTTPHeaderField: WireMessage, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP request forwarded by the edge to a worker as one RPC call — the role the uwsgi
/// protocol plays between nginx and uWSGI. It carries what the worker cannot see itself:
/// who the client is and which scheme, host and port it used.
public struct HTTPEnvelopeRequest: WireMessage, Hashable {
    public var method: String
    /// Path and query exactly as received, e.g. `/api/users/ana/collection?page=2`.
    public var target: String
    public var headers: [HTTPHeaderField]
    /// A buffer rather than an array: a decoded body is a slice of the RPC frame, not a copy.
    /// On the wire it is what a `[UInt8]` is (byte count, then the bytes); in JSON, base64.
    public var body: ByteBuffer
    public var clientAddress: String
    public var scheme: String
    public var host: String
    public var port: Int

    public init(
        method: String, target: String, headers: [HTTPHeaderField], body: ByteBuffer,
        clientAddress: String, scheme: String, host: String, port: Int
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.clientAddress = clientAddress
        self.scheme = scheme
        self.host = host
        self.port = port
    }
}

public struct HTTPEnvelopeResponse: WireMessage, Hashable {
    public var status: Int
    public var headers: [HTTPHeaderField]
    /// See ``HTTPEnvelopeRequest/body``: a page of JSON crosses the edge without being copied.
    public var body: ByteBuffer

    public init(status: Int, headers: [HTTPHeaderField], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

extension HTTPEnvelopeRequest {
    /// The largest body a worker accepts (413 beyond), and so the edge's default and ceiling
    /// for `--max-body-size`. One number both import: a larger edge limit would only buffer
    /// bodies the worker then refuses, and two separate settings could drift apart unnoticed.
    /// This API's bodies are a few hundred bytes; anything far larger is a mistake or abuse.
    public static let maximumBodySize = 64 * 1024

    public init(
        method: String, target: String, headers: [HTTPHeaderField], body: [UInt8],
        clientAddress: String, scheme: String, host: String, port: Int
    ) {
        self.init(
            method: method, target: target, headers: headers, body: ByteBuffer(bytes: body),
            clientAddress: clientAddress, scheme: scheme, host: host, port: port)
    }
}

extension HTTPEnvelopeResponse {
    public init(status: Int, headers: [HTTPHeaderField], body: [UInt8]) {
        self.init(status: status, headers: headers, body: ByteBuffer(bytes: body))
    }
}

extension HTTPEnvelopeRequest {
    /// Methods that RFC 9110 §9.2.2 defines as idempotent: sending the request twice has the
    /// effect of sending it once.
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]

    /// Whether this request may be forwarded again after it may have reached an app server;
    /// pass it as ``RPCCallOptions/isIdempotent``.
    public var isIdempotent: Bool { Self.idempotentMethods.contains(method) }
}

extension RPCMethod where Request == HTTPEnvelopeRequest, Response == HTTPEnvelopeResponse {
    /// Whether a forwarded request may be repeated depends on its HTTP method, so the caller
    /// says so per call (``HTTPEnvelopeRequest/isIdempotent``); the descriptor is conservative.
    public static let handleHTTP = RPCMethod(name: "worker.http", isIdempotent: false)
}

// The fields on the wire. A body is a slice of the payload when read, not a copy.

extension HTTPHeaderField {
    public init() { self.init(name: "", value: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "name", &name)
        try fields.field(2, "value", &value)
    }
}

extension HTTPEnvelopeRequest {
    public init() { self.init(method: "", target: "", headers: [], body: ByteBuffer(), clientAddress: "", scheme: "", host: "", port: 0) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "method", &method)
        try fields.field(2, "target", &target)
        try fields.field(3, "headers", &headers)
        try fields.field(4, "body", &body)
        try fields.field(5, "clientAddress", &clientAddress)
        try fields.field(6, "scheme", &scheme)
        try fields.field(7, "host", &host)
        try fields.field(8, "port", &port)
    }
}

extension HTTPEnvelopeResponse {
    public init() { self.init(status: 0, headers: [], body: ByteBuffer()) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "status", &status)
        try fields.field(2, "headers", &headers)
        try fields.field(3, "body", &body)
    }
}
