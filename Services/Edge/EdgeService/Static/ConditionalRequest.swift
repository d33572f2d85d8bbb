import AppServerProtocol
import RPC

/// The validators of one file version, and the conditional-request rules that use them
/// (RFC 9110 §13): `If-None-Match` wins over `If-Modified-Since`; `If-Range` decides whether
/// a `Range` still applies to the version the client has.
struct Validators: Sendable, Equatable {
    /// A strong entity tag, quoted: `"<mtime hex>-<size hex>"` like nginx's.
    var etag: String
    /// Seconds since the Unix epoch.
    var lastModified: Int
    /// `lastModified` as an HTTP date, formatted once per lookup rather than per response.
    var lastModifiedText: String

    init(modified: Int, size: Int, variant: String = "") {
        etag = "\"\(String(modified, radix: 16))-\(String(size, radix: 16))\(variant)\""
        lastModified = modified
        lastModifiedText = HTTPDate.format(modified)
    }

    /// True when a GET or HEAD may be answered 304 Not Modified.
    func isNotModified(ifNoneMatch: String?, ifModifiedSince: String?) -> Bool {
        if let ifNoneMatch {
            return IfNoneMatch.matches(ifNoneMatch, entityTag: etag)
        }
        if let ifModifiedSince, let since = HTTPDate.parse(ifModifiedSince.trimmingOptionalWhitespace()) {
            return lastModified <= since
        }
        return false
    }

    /// True when `Range` should be honoured: no `If-Range`, or it names this version. A date
    /// matches only exactly, and an entity tag only strongly, as the RFC requires.
    func rangeApplies(ifRange: String?) -> Bool {
        guard let value = ifRange?.trimmingOptionalWhitespace(), !value.isEmpty else { return true }
        if value.hasPrefix("\"") { return value == etag }
        if value.hasPrefix("W/") { return false }
        return HTTPDate.parse(value) == lastModified
    }
}
