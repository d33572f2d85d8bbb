/// A path or query parameter a route declares: its name, its type, and for the OpenAPI
/// document a description. Path parameters are always required; a query parameter is
/// required, has a default, or may be absent.
public struct Parameter: Sendable {
    /// Where the parameter is in the request.
    public enum Location: String, Sendable {
        case path
        case query
    }

    /// The `{name}` of a path segment, or the query parameter's name.
    public var name: String
    /// Path or query.
    public var location: Location
    /// What values it may take.
    public var type: ParameterType
    /// For the OpenAPI document.
    public var description: String?
    /// Whether a request without it is refused (400).
    public var isRequired: Bool
    /// What an absent optional integer parameter reads as, and what the document says.
    public var defaultValue: Int64?

    /// A `{name}` segment of the route's path template.
    public static func path(_ name: String, _ type: ParameterType, description: String? = nil) -> Parameter {
        Parameter(name: name, location: .path, type: type, description: description, isRequired: true, defaultValue: nil)
    }

    /// A query parameter; given at most once (a repeated one is refused as ambiguous).
    public static func query(
        _ name: String, _ type: ParameterType, description: String? = nil, required: Bool = false, default defaultValue: Int64? = nil
    ) -> Parameter {
        Parameter(name: name, location: .query, type: type, description: description, isRequired: required, defaultValue: defaultValue)
    }

    /// Its entry in an operation's `parameters`.
    var openAPI: JSONValue {
        var schema = type.schema
        if let defaultValue, case .object(var fields) = schema {
            fields["default"] = .number(Double(defaultValue))
            schema = .object(fields)
        }
        var entry: [String: JSONValue] = [
            "name": .string(name), "in": .string(location.rawValue), "required": .bool(isRequired), "schema": schema,
        ]
        if let description { entry["description"] = .string(description) }
        return .object(entry)
    }
}
