public import JSONText

/// Any JSON value, parsed without a target type so field errors can name the field and the
/// expected type, and so `null` can be told apart from an absent field (PATCH needs both).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value of JSON text (see `JSONParser`); nil when a number does not fit a `Double`
    /// (`1e400`), which JSON allows and this type cannot hold.
    public init?(_ parsed: ParsedJSON) {
        switch parsed {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .string(let value): self = .string(value)
        case .number(let text):
            guard let number = Double(text), number.isFinite else { return nil }
            self = .number(number)
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                guard let value = JSONValue(element) else { return nil }
                values.append(value)
            }
            self = .array(values)
        case .object(let members):
            var values: [String: JSONValue] = [:]
            values.reserveCapacity(members.count)
            for (name, member) in members {
                guard let value = JSONValue(member) else { return nil }
                values[name] = value
            }
            self = .object(values)
        }
    }

    /// How a field error names what it found, e.g. "got a number".
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
