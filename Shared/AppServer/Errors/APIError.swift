public import HTTPTypes

/// A request that cannot be answered as asked, with the status and body the client gets:
/// `{"error": "<code>", "message": "<sentence>"}`.
///
/// Handlers throw it for every client mistake and every known server condition, so the
/// response an error becomes is decided where the error is understood, not in a catch-all.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The response status.
    public var status: HTTPResponse.Status
    /// Stable and machine-readable, e.g. `invalid_request`; clients branch on it.
    public var code: String
    /// One sentence for a human; for field errors it starts with the field's name.
    public var message: String
    /// Extra response headers such as `Allow`, `WWW-Authenticate` or `Retry-After`.
    public var headers: HTTPFields = [:]

    /// An error with any status; prefer the named constructors below.
    public init(status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// `<status> <code>: <message>`, for logs.
    public var description: String { "\(status.code) \(code): \(message)" }

    /// 400; the message names the field or parameter.
    public static func badRequest(_ message: String, code: String = "invalid_request") -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    /// 404.
    public static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: message)
    }

    /// 403: the caller is known but may not do this.
    public static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, code: "forbidden", message: message)
    }

    /// 409, e.g. a name already taken.
    public static func conflict(_ message: String) -> APIError {
        APIError(status: .conflict, code: "conflict", message: message)
    }

    /// 401 with the RFC 6750 Bearer challenge; `invalid_token` when a token was presented but
    /// refused.
    public static func unauthorized(_ message: String, tokenPresented: Bool) -> APIError {
        let challenge = tokenPresented ? #"Bearer realm="api", error="invalid_token""# : #"Bearer realm="api""#
        return APIError(
            status: .unauthorized, code: tokenPresented ? "invalid_token" : "unauthorized", message: message,
            headers: [.wwwAuthenticate: challenge])
    }

    /// 405 with the `Allow` header.
    public static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> APIError {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(
            status: .methodNotAllowed, code: "method_not_allowed",
            message: "This resource supports only \(allow).", headers: [.allow: allow])
    }

    /// 415.
    public static func unsupportedMediaType(_ message: String) -> APIError {
        APIError(status: .unsupportedMediaType, code: "unsupported_media_type", message: message)
    }

    /// 413.
    public static func contentTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "payload_too_large", message: "The request body is larger than \(limit) bytes.")
    }

    /// This client (address or account) has made too many attempts; `Retry-After` says when
    /// the next one is allowed (seconds), or it has too much running already. The same code as the edge's own rate limit.
    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int = 1) -> APIError {
        APIError(
            status: .tooManyRequests, code: "rate_limited", message: message,
            headers: [.retryAfter: String(max(1, retryAfterSeconds))])
    }

    /// The client should come back later; `Retry-After` says when (seconds).
    public static func unavailable(_ message: String, retryAfterSeconds: Int = 1) -> APIError {
        APIError(
            status: .serviceUnavailable, code: "unavailable", message: message,
            headers: [.retryAfter: String(retryAfterSeconds)])
    }

    /// A backing service may or may not have applied the request (its connection broke
    /// mid-call): no `Retry-After`, since repeating a write could apply it twice.
    public static func badGateway(_ message: String) -> APIError {
        APIError(status: .badGateway, code: "bad_gateway", message: message)
    }

    /// 504: the request's deadline passed.
    public static func timeout(_ message: String) -> APIError {
        APIError(status: .gatewayTimeout, code: "timeout", message: message)
    }

    /// The only body a server fault gets: the detail belongs in the log, not to the client.
    public static let `internal` = APIError(
        status: .internalServerError, code: "internal_error", message: "The server failed to answer this request.")
}
