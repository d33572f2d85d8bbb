/// Literal syntax and encoding for ``JSONValue``, so the OpenAPI document reads like the JSON
/// it becomes.
extension JSONValue: Encodable, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    /// `["key": value]` is an object.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// `[a, b]` is an array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// `"text"` is a string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `1` is a number.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// `true` is a boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `nil` is `null`.
    public init(nilLiteral: ()) { self = .null }

    /// The value as JSON; whole numbers without a fraction.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers print as integers: `1`, not `1.0`.
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// An object's field; nil for a missing one or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}
