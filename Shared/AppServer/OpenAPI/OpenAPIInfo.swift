/// What the app says about its API as a whole in the OpenAPI document: title, version,
/// description, the component schemas its routes refer to by name, and how authenticated
/// routes authenticate.
public struct OpenAPIInfo: Sendable {
    /// `info.title`.
    public var title: String
    /// `info.version`: the API's, not OpenAPI's.
    public var version: String
    /// `info.description`.
    public var description: String?
    /// Component schemas by name. `Error` (``ErrorBody``'s shape) is added unless given.
    public var schemas: [String: JSONValue]
    /// The security scheme of authenticated routes, under `securitySchemeName`: e.g.
    /// `["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]`; nil for an API without
    /// authenticated routes.
    public var securityScheme: JSONValue?
    /// The name authenticated operations' `security` refers to.
    public var securitySchemeName: String

    /// The API's description as a whole.
    public init(
        title: String, version: String, description: String? = nil, schemas: [String: JSONValue],
        securityScheme: JSONValue? = nil, securitySchemeName: String = "bearer"
    ) {
        self.title = title
        self.version = version
        self.description = description
        self.schemas = schemas
        self.securityScheme = securityScheme
        self.securitySchemeName = securitySchemeName
    }

    /// `{"$ref": "#/components/schemas/<name>"}`.
    public static func reference(_ name: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(name)")]
    }

    /// ``ErrorBody`` as a schema.
    static let errorSchema: JSONValue = [
        "type": "object",
        "properties": ["error": ["type": "string"], "message": ["type": "string"]],
        "required": ["error", "message"],
    ]
}
