import AppServer

/// The component schemas the operations refer to: bodies as the handlers read and write them.
enum OpenAPISchemas {
    static let info = OpenAPIInfo(
        title: "Microposts API", version: "1.0.0",
        description: "A small microblog. Errors are {\"error\": code, \"message\": sentence}.", schemas: all,
        securityScheme: ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"])

    static let username = MicropostsParameters.usernameType.schema
    /// Text that PostgreSQL can store: no NUL.
    static let micropostText: JSONValue = ["type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^\\x00]*$"]
    static let url: JSONValue = ["type": "string", "format": "uri"]

    static var all: [String: JSONValue] {
        [
            "NewUser": object(
                ["username": username, "password": ["type": "string", "minLength": 8, "maxLength": 128]], closed: true),
            "User": object(["username": username, "collection": url]),
            "TokenRequest": object([
                "grant_type": ["type": "string", "enum": ["client_credentials"]],
                "client_id": ["type": "string"],
                "client_secret": ["type": "string"],
            ]),
            "Token": object([
                "access_token": ["type": "string"],
                "token_type": ["type": "string", "enum": ["bearer"]],
                "expires_in": ["type": "integer", "minimum": 1],
            ]),
            "NewMicropost": object(
                ["text": micropostText, "referenced": nullable(username)], required: ["text"], closed: true),
            "MicropostChanges": .object([
                "type": "object", "minProperties": 1, "additionalProperties": false,
                "properties": ["text": micropostText, "referenced": nullable(username)],
            ]),
            "Micropost": object([
                "id": ["type": "integer", "format": "int64", "minimum": 1],
                "href": url,
                "user": username,
                "text": ["type": "string"],
                "referenced": nullable(username),
                "timestamp": ["type": "string", "format": "date-time"],
            ]),
            "FollowRequest": object(["username": username], closed: true),
            "MicropostPage": page(of: "Micropost"),
            "UserPage": page(of: "User"),
            "Document": ["type": "object"],
        ]
    }

    /// An object schema; every property required unless `required` says otherwise, and with
    /// `closed`, no others allowed (the handler refuses unknown fields).
    private static func object(_ properties: [String: JSONValue], required: [String]? = nil, closed: Bool = false) -> JSONValue {
        var schema: [String: JSONValue] = [
            "type": "object",
            "properties": .object(properties),
            "required": .array((required ?? properties.keys.sorted()).map(JSONValue.string)),
        ]
        if closed { schema["additionalProperties"] = false }
        return .object(schema)
    }

    private static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var fields) = schema else { return schema }
        fields["nullable"] = true
        return .object(fields)
    }

    private static func page(of item: String) -> JSONValue {
        object([
            "next": nullable(url),
            "previous": nullable(url),
            "result": ["type": "array", "items": OpenAPIInfo.reference(item)],
        ])
    }
}
