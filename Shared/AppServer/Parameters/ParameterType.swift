/// What a path or query parameter may be: the router parses and checks every parameter with
/// it before the handler runs (a refusal is a 400 naming the parameter), and the OpenAPI
/// document takes the parameter's schema from it.
public struct ParameterType: Sendable {
    enum Kind: Sendable {
        case integer(ClosedRange<Int64>)
        case string(length: ClosedRange<Int>?, characters: ASCIICharacters?)
    }

    let kind: Kind

    /// A decimal integer in `range` (digits only, `-` first where the range has negatives);
    /// documented as `integer`, format `int64`, with its bounds. In a path segment the digits
    /// must be plain: `%31` is refused, so one resource has one URL.
    public static func integer(_ range: ClosedRange<Int64>) -> ParameterType {
        ParameterType(kind: .integer(range))
    }

    /// An integer of at least `minimum`, e.g. `1` for ids.
    public static func integer(atLeast minimum: Int64) -> ParameterType {
        .integer(minimum...Int64.max)
    }

    /// Text of `length` Unicode code points (as JSON Schema counts), made only of `characters`
    /// when given.
    public static func string(length: ClosedRange<Int>? = nil, characters: ASCIICharacters? = nil) -> ParameterType {
        ParameterType(kind: .string(length: length, characters: characters))
    }

    /// The JSON Schema of the values this type accepts; also fit for body fields of the same
    /// rule, so one declaration serves both.
    public var schema: JSONValue {
        switch kind {
        case .integer(let range):
            var schema: [String: JSONValue] = ["type": "integer", "format": "int64"]
            if range.lowerBound != .min { schema["minimum"] = .number(Double(range.lowerBound)) }
            if range.upperBound != .max { schema["maximum"] = .number(Double(range.upperBound)) }
            return .object(schema)
        case .string(let length, let characters?):
            let quantifier = length.map { "{\($0.lowerBound),\($0.upperBound)}" } ?? "*"
            return ["type": "string", "pattern": .string("^[\(characters.patternClass)]\(quantifier)$")]
        case .string(let length?, nil):
            return ["type": "string", "minLength": .number(Double(length.lowerBound)), "maxLength": .number(Double(length.upperBound))]
        case .string(nil, nil):
            return ["type": "string"]
        }
    }

    /// The value of `text` (already percent-decoded), or the 400 that names `name`.
    func parse(_ text: String, name: String) throws(APIError) -> ParameterValue {
        switch kind {
        case .integer(let range):
            guard let value = Self.integer(text), range.contains(value) else {
                let bounds =
                    range.upperBound == .max
                    ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
                throw .badRequest("\(name): must be an integer \(bounds).")
            }
            return .integer(value)
        case .string(let length, let characters):
            if let characters, !characters.contains(allOf: text) {
                throw .badRequest("\(name): may contain only the characters [\(characters.patternClass)].")
            }
            if let length {
                // ASCII-only text is as many code points as bytes: no need to count them.
                let count = characters != nil ? text.utf8.count : text.unicodeScalars.count
                guard length.contains(count) else {
                    throw .badRequest("\(name): must be \(length.lowerBound) to \(length.upperBound) characters long.")
                }
            }
            return .string(text)
        }
    }

    /// Digits only, with an optional leading `-`: `Int64(_:)` would also take `+5`, which no
    /// client means.
    private static func integer(_ text: String) -> Int64? {
        let digits = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(text)
    }
}

/// A parameter's value after its ``ParameterType`` accepted it.
enum ParameterValue: Sendable {
    case integer(Int64)
    case string(String)
}
