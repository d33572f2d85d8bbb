public import Hummingbird
import JSONText
import NIOCore
import RPC

/// Reads a request body into ``RequestFields`` after checking its media type: JSON objects for
/// writes, and also forms where the operation accepts them (OAuth clients send forms).
public enum BodyReader {
    /// The body formats an operation may accept.
    public enum MediaType {
        case json
        case form
    }

    /// The body's fields, refused with 415 for a media type not in `accepted`, 413 beyond
    /// the context's upload limit, 400 for a malformed body.
    public static func fields(of request: Request, context: AppRequestContext, accepting accepted: [MediaType] = [.json]) async throws
        -> RequestFields
    {
        let mediaType = try mediaType(of: request, accepting: accepted)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge(limit: context.maxUploadSize)
        }
        let bytes = body.readableBytesView
        switch mediaType {
        case .json:
            return try jsonObject(bytes)
        case .form:
            guard let text = String(validating: bytes, as: UTF8.self), let pairs = FormURLEncoding.parse(text[...]) else {
                throw APIError.badRequest("request body: not a valid form encoding.")
            }
            var values: [String: JSONValue] = [:]
            for pair in pairs {
                guard values[pair.name] == nil else { throw APIError.badRequest("\(pair.name): given more than once.") }
                values[pair.name] = .string(pair.value)
            }
            return RequestFields(values)
        }
    }

    private static func jsonObject(_ bytes: ByteBufferView) throws(APIError) -> RequestFields {
        let parsed: ParsedJSON
        do throws(JSONParser.Error) {
            parsed = try JSONParser.parse(bytes)
        } catch {
            throw .badRequest("request body: not valid JSON (\(error)).")
        }
        guard let value = JSONValue(parsed) else { throw .badRequest("request body: a number is out of range.") }
        guard case .object(let fields) = value else {
            throw .badRequest("request body: expected a JSON object, got \(value.kind).")
        }
        return RequestFields(fields)
    }

    /// `application/json` (or any `+json` type) in UTF-8, or a form where accepted; a missing
    /// `Content-Type` is refused like a wrong one rather than guessed.
    private static func mediaType(of request: Request, accepting accepted: [MediaType]) throws(APIError) -> MediaType {
        let names = accepted.map { $0 == .json ? "application/json" : "application/x-www-form-urlencoded" }.joined(separator: " or ")
        guard let header = request.headers[.contentType] else {
            throw .unsupportedMediaType("Content-Type is missing; expected \(names).")
        }
        let parameters = header.split(separator: ";").map { $0.trimmingOptionalWhitespace().lowercased() }
        let type = parameters.first ?? ""
        let charset = parameters.dropFirst().first { $0.hasPrefix("charset=") }.map {
            $0.dropFirst("charset=".count).trimming(where: { $0 == "\"" })
        }
        let found: MediaType?
        if type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json")) {
            found = .json
        } else if type == "application/x-www-form-urlencoded" {
            found = .form
        } else {
            found = nil
        }
        guard let found, accepted.contains(found) else {
            throw .unsupportedMediaType("Content-Type \(header) is not supported; expected \(names).")
        }
        guard charset == nil || charset == "utf-8" else {
            throw .unsupportedMediaType("Only UTF-8 bodies are supported.")
        }
        return found
    }
}
