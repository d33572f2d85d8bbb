import Foundation
import Hummingbird
import NIOCore

/// Reads a request body into ``RequestFields`` after checking its media type: JSON objects for
/// every write of the API, and also forms where OAuth clients send them (`POST /api/token`).
enum BodyReader {
    enum MediaType {
        case json
        case form
    }

    static func fields(of request: Request, context: WorkerRequestContext, accepting accepted: [MediaType] = [.json]) async throws -> RequestFields {
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

    /// `application/json` (or any `+json` type) in UTF-8, or a form where accepted; a missing
    /// `Content-Type` is refused like a wrong one rather than guessed.
    private static func mediaType(of request: Request, accepting accepted: [MediaType]) throws(APIError) -> MediaType {
        let names = accepted.map { $0 == .json ? "application/json" : "application/x-www-form-urlencoded" }.joined(separator: " or ")
        guard let header = request.headers[.contentType] else {
            throw .unsupportedMediaType("Content-Type is missing; expected \(names).")
        }
        let parameters = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let type = parameters.first ?? ""
        let charset = parameters.dropFirst().first { $0.hasPrefix("charset=") }.map { $0.dropFirst("charset=".count).trimmingCharacters(in: ["\""]) }
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
