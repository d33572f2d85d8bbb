import AppServerProtocol
import Crypto
public import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Strong entity tags for single resources, derived from the exact bytes of the body, and the
/// `If-None-Match` check that turns a repeated GET into a 304.
public enum EntityTag {
    /// The tag of a body: a quoted base64url digest of its bytes.
    public static func of(_ body: ByteBuffer) -> String {
        let digest = SHA256.hash(data: body.readableBytesView)
        // 128 bits are plenty to tell versions of one resource apart.
        return "\"" + Base64URL.encode(Array(digest).prefix(16)) + "\""
    }

    /// The resource as JSON with its `ETag`, or 304 when the client's `If-None-Match` already
    /// names this version (weak comparison, as RFC 9110 §13.1.2 prescribes for it).
    public static func response(status: HTTPResponse.Status = .ok, body: some JSONWritable, request: Request, headers: HTTPFields = [:])
        -> Response
    {
        let encoded = JSONResponse.encode(body)
        let tag = of(encoded)
        var fields = headers
        fields[.eTag] = tag
        if status == .ok, let condition = request.headers[.ifNoneMatch], IfNoneMatch.matches(condition, entityTag: tag) {
            return Response(status: .notModified, headers: fields)
        }
        return JSONResponse.make(status: status, encoded: encoded, headers: fields)
    }
}
