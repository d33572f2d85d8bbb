public import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Encodes response bodies the same way everywhere: compact, slashes unescaped (links stay
/// readable), keys sorted (the encoder's key order is otherwise not stable, and ETags hash
/// the bytes), `Content-Type: application/json`.
public enum JSONResponse {
    /// `application/json; charset=utf-8`.
    public static let contentType = "application/json; charset=utf-8"

    /// `value` through Foundation's encoder: for bodies off the hot path.
    public static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        do {
            return ByteBuffer(bytes: try encoder.encode(value))
        } catch {
            // Our bodies are strings, numbers and nested structs of them: encoding cannot
            // fail. Should it ever, the client still gets valid JSON.
            return ByteBuffer(string: #"{"error":"internal_error","message":"The response could not be encoded."}"#)
        }
    }

    /// `value` as it writes itself.
    @inlinable
    public static func encode(_ value: some JSONWritable) -> ByteBuffer {
        var output = JSONOutput(capacity: value.jsonCapacity)
        value.writeJSON(to: &output)
        return output.buffer
    }

    /// A JSON response whose body writes itself.
    @inlinable
    public static func make(status: HTTPResponse.Status, body: some JSONWritable, headers: HTTPFields = [:]) -> Response {
        make(status: status, encoded: encode(body), headers: headers)
    }

    /// A JSON response through Foundation's encoder.
    public static func make(status: HTTPResponse.Status, body: some Encodable, headers: HTTPFields = [:]) -> Response {
        make(status: status, encoded: encode(body), headers: headers)
    }

    /// A JSON response of bytes already encoded.
    public static func make(status: HTTPResponse.Status, encoded: ByteBuffer, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: encoded))
    }

    /// 204, no body.
    public static func noContent() -> Response {
        Response(status: .noContent)
    }
}
