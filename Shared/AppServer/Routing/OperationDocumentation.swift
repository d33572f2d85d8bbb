/// What the OpenAPI document says about one operation beyond what the route itself shows
/// (method, typed parameters, authentication and the errors those imply).
public struct OperationDocumentation: Sendable {
    /// The body an operation reads.
    public struct RequestBody: Sendable {
        /// A component schema name, e.g. `NewItem`.
        public var schema: String
        /// Whether a form body is accepted besides JSON.
        public var acceptsForm: Bool

        /// A body of component schema `schema`.
        public init(schema: String, acceptsForm: Bool = false) {
            self.schema = schema
            self.acceptsForm = acceptsForm
        }
    }

    /// One documented response.
    public struct Reply: Sendable {
        /// The HTTP status.
        public var status: Int
        /// What the response means.
        public var description: String
        /// A component schema name; nil for a reply without a body.
        public var schema: String?
        /// Response header names, e.g. `Location`, `ETag`, `Retry-After`.
        public var headers: [String]

        /// A documented response.
        public init(status: Int, description: String, schema: String? = nil, headers: [String] = []) {
            self.status = status
            self.description = description
            self.schema = schema
            self.headers = headers
        }
    }

    /// The `operationId`, unique in the API.
    public var operationID: String
    /// One line on what the operation does.
    public var summary: String
    /// The body it reads; nil for none.
    public var requestBody: RequestBody?
    /// Successes and the errors particular to this operation; the generic ones are added by
    /// ``OpenAPIDocument``.
    public var replies: [Reply]

    /// An operation's documentation.
    public init(operationID: String, summary: String, requestBody: RequestBody? = nil, replies: [Reply]) {
        self.operationID = operationID
        self.summary = summary
        self.requestBody = requestBody
        self.replies = replies
    }
}
