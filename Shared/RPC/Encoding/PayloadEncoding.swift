import NIOCore
import NIOFoundationEssentialsCompat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How the payload of an RPC call is encoded. The frame carries `rawValue`, so that a
/// command-line client can send and receive JSON while services talk binary.
public enum PayloadEncoding: UInt8, Sendable, Hashable, CaseIterable {
    /// The compact positional format described on ``BinaryPayloadEncoder``.
    case binary = 0
    /// JSON as produced by Foundation's `JSONEncoder`, with dates as ISO-8601 strings
    /// (millisecond precision) and non-finite floats as the strings "NaN", "Infinity",
    /// "-Infinity". Meant for humans and tools, not for the hot path.
    case json = 1

    /// Appends the encoding of `value` to `buffer`.
    public func encode<T: Encodable>(_ value: T, into buffer: inout ByteBuffer) throws {
        switch self {
        case .binary:
            try BinaryPayloadEncoder().encode(value, into: &buffer)
        case .json:
            try JSONPayload.encoder.encode(value, into: &buffer)
        }
    }

    /// Decodes a `T` from all readable bytes of `buffer`, consuming them.
    public func decode<T: Decodable>(_ type: T.Type, from buffer: inout ByteBuffer) throws -> T {
        switch self {
        case .binary:
            return try BinaryPayloadDecoder().decode(type, from: &buffer)
        case .json:
            let value = try JSONPayload.decoder.decode(type, from: buffer)
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return value
        }
    }
}

/// Shared JSON coders: they are thread-safe once configured, and building one per call
/// would cost more than many small payloads take to encode.
private enum JSONPayload {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(JSONPayload.iso8601WithFractionalSeconds))
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        // People typing JSON by hand should not have to spell out fractional seconds.
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let string = try container.decode(String.self)
            let date =
                (try? JSONPayload.iso8601WithFractionalSeconds.parse(string)) ?? (try? JSONPayload.iso8601.parse(string))
            if let date {
                return date
            }
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected an ISO-8601 date such as 2025-01-31T12:00:00.000Z, found \"\(string)\""
            )
        }
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        return decoder
    }()

    private static let iso8601 = Date.ISO8601FormatStyle()
    private static let iso8601WithFractionalSeconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
