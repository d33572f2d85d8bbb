/// Every server answers `rpc.describe` with the JSON shapes of one method's request and
/// response, so `rpc describe` shows what to send to a method without its source at hand.
public struct DescribeRequest: WireMessage, Equatable {
    public var method: String

    public init(method: String) {
        self.method = method
    }

    public init() { self.init(method: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "method", &method)
    }
}

public struct MethodDescription: WireMessage, Equatable {
    public var name: String
    public var isIdempotent: Bool
    /// ``WireSchema/renderedShape()`` of the request type, as `rpc call` takes it.
    public var request: String
    public var response: String

    public init(name: String, isIdempotent: Bool, request: String, response: String) {
        self.name = name
        self.isIdempotent = isIdempotent
        self.request = request
        self.response = response
    }

    public init() { self.init(name: "", isIdempotent: false, request: "", response: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "name", &name)
        try fields.field(2, "isIdempotent", &isIdempotent)
        try fields.field(3, "request", &request)
        try fields.field(4, "response", &response)
    }
}

extension RPCMethod where Request == DescribeRequest, Response == MethodDescription {
    public static let describe = RPCMethod(name: "rpc.describe", isIdempotent: true)
}
