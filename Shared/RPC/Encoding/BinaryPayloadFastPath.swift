/// A type that writes its binary payload form by hand instead of through `encode(to:)`.
///
/// ``BinaryPayloadEncoder`` checks every value for this conformance (one metatype cast,
/// which it needs anyway for optionals and collections) and, when it is there, calls
/// ``encodeBinaryPayload(to:)`` instead of the generic `Encoder` machinery, which costs a
/// container box, metadata lookups and dynamic casts per value.
///
/// **The rule:** `encodeBinaryPayload(to:)` must write exactly the bytes that the type's
/// `Encodable` conformance writes in this format: the same values, in the same order (for a
/// synthesized conformance: the stored properties in declaration order, or the order of
/// `CodingKeys` if it declares them), an optional with its presence byte. The fast path is
/// an optimization, not a format: peers that decode through `init(from:)` must read the same
/// bytes, and JSON keeps using `Codable`. Test it by comparing against the `Codable` bytes.
///
/// The format's own containers (`Optional`, `Array`, `Dictionary`, `Data`, `ByteBuffer`)
/// conform too; for them these conformances are the definition of their bytes.
public protocol BinaryPayloadEncodable: Encodable {
    /// Writes `self` in the binary payload format, exactly as `encode(to:)` would.
    func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws
}

/// A type that reads its binary payload form by hand instead of through `init(from:)`.
///
/// The counterpart of ``BinaryPayloadEncodable``, with the same rule: it must accept
/// exactly the bytes its `Decodable` conformance accepts in this format and decode them to
/// the same value. Input is hostile; the reads of ``BinaryPayloadInput`` throw a
/// `DecodingError` for anything malformed, so code that only calls them never traps.
public protocol BinaryPayloadDecodable: Decodable {
    /// Reads a value in the binary payload format, exactly as `init(from:)` would.
    init(binaryPayload input: inout BinaryPayloadInput) throws
}

/// A type with both hand-written halves of the binary payload fast path.
public typealias BinaryPayloadCodable = BinaryPayloadEncodable & BinaryPayloadDecodable

/// The format's own containers, whose binary form is not their `Codable` conformance and
/// which therefore keep their hand-written coding when a test turns the others off.
protocol BinaryPayloadBuiltIn {}
