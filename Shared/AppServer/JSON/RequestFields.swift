/// The fields of a request body (a JSON object or a form), read one by one with errors that
/// name the field: `text: required`, `text: expected a string, got a number`.
public struct RequestFields: Sendable {
    private let values: [String: JSONValue]

    /// The fields of a decoded body.
    public init(_ values: [String: JSONValue]) {
        self.values = values
    }

    /// Refuses fields the operation does not know, so a misspelt optional field is an error
    /// rather than silently ignored.
    public func rejectUnknown(allowed: Set<String>) throws(APIError) {
        if let unknown = values.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw .badRequest("\(unknown): unknown field; expected only \(allowed.sorted().joined(separator: ", ")).")
        }
    }

    /// A string field that must be present and not null.
    public func requiredString(_ name: String) throws(APIError) -> String {
        guard let value = try optionalString(name) else {
            throw .badRequest("\(name): required.")
        }
        return value
    }

    /// Absent and `null` both read as nil.
    public func optionalString(_ name: String) throws(APIError) -> String? {
        switch values[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw .badRequest("\(name): expected a string, got \(other.kind).")
        }
    }

    /// For partial updates: nil when absent, `.some(nil)` when explicitly `null`.
    public func presentNullableString(_ name: String) throws(APIError) -> String?? {
        switch values[name] {
        case nil: return nil
        case .null?: return .some(nil)
        case .string(let text)?: return .some(text)
        case let other?: throw .badRequest("\(name): expected a string or null, got \(other.kind).")
        }
    }

    /// Whether the field is present, `null` included.
    public func contains(_ name: String) -> Bool { values[name] != nil }
}
