import Metrics
import NIOCore
import NIOHTTP1
import RPC
import ServiceKit

/// The checks a request passes as soon as its head is read, before any body byte is accepted
/// (so `Expect: 100-continue` clients never send a body that would be refused anyway), in
/// nginx's order: malformed, limits, routing, maintenance. Returns the refusal, or nil.
struct RequestAdmission: Sendable {
    var maximumHeaderSize: Int
    var maximumBodySize: Int
    /// Requests refused for a target longer than `--max-header-size` (`http_requests_rejected_total{limit="uri_length"}`).
    let uriTooLongRefusals = Counter(label: "http_requests_rejected_total", dimensions: [("limit", "uri_length")])
    /// Requests refused for a body over `--max-body-size`, announced or sent (`…{limit="body_size"}`).
    let bodyTooLargeRefusals = Counter(label: "http_requests_rejected_total", dimensions: [("limit", "body_size")])

    func check(
        _ head: HTTPRequestHead, route: EdgeRoute, rateLimit: TokenBucket.Decision?, maintenancePage: [UInt8]?
    ) -> CannedResponse? {
        if head.uri.utf8.count > maximumHeaderSize {
            uriTooLongRefusals.increment()
            return .error(.uriTooLong, "uri_too_long", "The request target is longer than this server accepts.")
        }
        if let expectation = head.headers.first(name: "expect"), head.version != .http1_0,
            expectation.trimmingOptionalWhitespace().lowercased() != "100-continue"
        {
            return .error(.expectationFailed, "expectation_failed", "Only the 100-continue expectation is supported.")
        }
        if case .limited(let retryAfter) = rateLimit {
            return .error(
                .tooManyRequests, "rate_limited", "Too many requests from this address; slow down.",
                headers: [("Retry-After", String(retryAfter))])
        }
        let lengths = head.headers["content-length"]
        if lengths.count > 1 && Set(lengths).count > 1 {
            // Conflicting lengths are a request-smuggling vector; the decoder may not catch all.
            return .error(.badRequest, "bad_request", "The request has conflicting Content-Length headers.")
        }
        if let length = Self.announcedBodyLength(head), length > maximumBodySize {
            bodyTooLargeRefusals.increment()
            return Self.bodyTooLarge(maximumBodySize)
        }
        switch route {
        case .notFound:
            return .error(.notFound, "not_found", "Nothing is served at this path.")
        case .badPath:
            return .error(.badRequest, "bad_request", "The request path is not allowed.")
        case .methodNotAllowed:
            return .error(
                .methodNotAllowed, "method_not_allowed", "Static files can only be read with GET or HEAD.",
                headers: [("Allow", "GET, HEAD")])
        case .upstream:
            guard let maintenancePage else { return nil }
            let accept = head.headers[canonicalForm: "accept"].joined(separator: ",")
            switch MaintenanceResponse.body(page: maintenancePage, accept: accept.isEmpty ? nil : accept) {
            case .json(let body):
                return .error(.serviceUnavailable, body)
            case .page(let page):
                return CannedResponse(
                    status: .serviceUnavailable, headers: [("Content-Type", "text/html; charset=utf-8")],
                    body: .init(bytes: page))
            }
        case .staticFile:
            return nil
        }
    }

    /// The `Content-Length` of `head`, or nil without one. The decoder accepts any length up to
    /// 2^64 - 1, so digits too many for `Int` are a length too large, not an absent one: read as
    /// nil, they would let the request skip the 413 and the body timeout and hold the connection.
    static func announcedBodyLength(_ head: HTTPRequestHead) -> Int? {
        guard let text = head.headers.first(name: "content-length")?.trimmingOptionalWhitespace() else { return nil }
        if let length = Int(text) { return length }
        let isDigits = !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return isDigits ? Int.max : nil
    }

    static func bodyTooLarge(_ limit: Int) -> CannedResponse {
        .error(.payloadTooLarge, "payload_too_large", "The request body is larger than \(limit) bytes.")
    }
}
