import HTTPTypes

/// A request that cannot be answered as asked, with the status and body the client gets:
/// `{"error": "<code>", "message": "<sentence>"}`.
///
/// Handlers throw it for every client mistake and every known server condition, so the
/// response an error becomes is decided where the error is understood, not in a catch-all.
struct APIError: Error, Sendable, CustomStringConvertible {
    var status: HTTPResponse.Status
    /// Stable and machine-readable, e.g. `invalid_request`; clients branch on it.
    var code: String
    /// One sentence for a human; for field errors it starts with the field's name.
    var message: String
    /// Extra response headers such as `Allow`, `WWW-Authenticate` or `Retry-After`.
    var headers: HTTPFields = [:]

    var description: String { "\(status.code) \(code): \(message)" }

    static func badRequest(_ message: String, code: String = "invalid_request") -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: message)
    }

    static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, code: "forbidden", message: message)
    }

    static func conflict(_ message: String) -> APIError {
        APIError(status: .conflict, code: "conflict", message: message)
    }

    /// 401 with the RFC 6750 challenge; `invalid_token` when a token was presented but refused.
    static func unauthorized(_ message: String, tokenPresented: Bool) -> APIError {
        let challenge = tokenPresented ? #"Bearer realm="api", error="invalid_token""# : #"Bearer realm="api""#
        return APIError(
            status: .unauthorized, code: tokenPresented ? "invalid_token" : "unauthorized", message: message,
            headers: [.wwwAuthenticate: challenge])
    }

    static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> APIError {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(
            status: .methodNotAllowed, code: "method_not_allowed",
            message: "This resource supports only \(allow).", headers: [.allow: allow])
    }

    static func unsupportedMediaType(_ message: String) -> APIError {
        APIError(status: .unsupportedMediaType, code: "unsupported_media_type", message: message)
    }

    static func contentTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "payload_too_large", message: "The request body is larger than \(limit) bytes.")
    }

    /// This client (address or account) has made too many attempts; `Retry-After` says when
    /// the next one is allowed (seconds), or it has too much running already. The same code as the edge's own rate limit.
    static func tooManyRequests(_ message: String, retryAfterSeconds: Int = 1) -> APIError {
        APIError(
            status: .tooManyRequests, code: "rate_limited", message: message,
            headers: [.retryAfter: String(max(1, retryAfterSeconds))])
    }

    /// The client should come back later; `Retry-After` says when (seconds).
    static func unavailable(_ message: String, retryAfterSeconds: Int = 1) -> APIError {
        APIError(
            status: .serviceUnavailable, code: "unavailable", message: message,
            headers: [.retryAfter: String(retryAfterSeconds)])
    }

    /// The data service may or may not have applied the request (its connection broke
    /// mid-call): no `Retry-After`, since repeating a write could apply it twice.
    static func badGateway(_ message: String) -> APIError {
        APIError(status: .badGateway, code: "bad_gateway", message: message)
    }

    static func timeout(_ message: String) -> APIError {
        APIError(status: .gatewayTimeout, code: "timeout", message: message)
    }

    /// The only body a server fault gets: the detail belongs in the log, not to the client.
    static let `internal` = APIError(
        status: .internalServerError, code: "internal_error", message: "The server failed to answer this request.")
}
