/// What the OpenAPI document says about one operation beyond what the route itself shows
/// (method, typed parameters, authentication and the errors those imply).
public struct OperationDocumentation: Sendable {
    public struct RequestBody: Sendable {
        /// A component schema name, e.g. `NewItem`.
        public var schema: String
        public var acceptsForm: Bool

        public init(schema: String, acceptsForm: Bool = false) {
            self.schema = schema
            self.acceptsForm = acceptsForm
        }
    }

    public struct Reply: Sendable {
        public var status: Int
        public var description: String
        /// A component schema name; nil for a reply without a body.
        public var schema: String?
        /// Response header names, e.g. `Location`, `ETag`, `Retry-After`.
        public var headers: [String]

        public init(status: Int, description: String, schema: String? = nil, headers: [String] = []) {
            self.status = status
            self.description = description
            self.schema = schema
            self.headers = headers
        }
    }

    public var operationID: String
    public var summary: String
    public var requestBody: RequestBody?
    /// Successes and the errors particular to this operation; the generic ones are added by
    /// ``OpenAPIDocument``.
    public var replies: [Reply]

    public init(operationID: String, summary: String, requestBody: RequestBody? = nil, replies: [Reply]) {
        self.operationID = operationID
        self.summary = summary
        self.requestBody = requestBody
        self.replies = replies
    }
}
