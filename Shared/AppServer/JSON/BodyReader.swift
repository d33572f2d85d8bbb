public import Hummingbird
import NIOCore
import RPC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
        // Foundation's parser takes one trailing comma (`{"text":"hi",}`); JSON does not.
        guard !hasTrailingComma(bytes) else { throw .badRequest("request body: not valid JSON.") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw .badRequest("request body: not valid JSON.")
        }
        guard case .object(let fields) = value else {
            throw .badRequest("request body: expected a JSON object, got \(value.kind).")
        }
        return RequestFields(fields)
    }

    /// Whether a `,` outside a string is followed, after whitespace only, by `}` or `]`.
    static func hasTrailingComma(_ bytes: some Sequence<UInt8>) -> Bool {
        var inString = false
        var escaped = false
        var afterComma = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","): afterComma = true
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if afterComma { return true }
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): ()
            case UInt8(ascii: "\""):
                inString = true
                afterComma = false
            default: afterComma = false
            }
        }
        return false
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
