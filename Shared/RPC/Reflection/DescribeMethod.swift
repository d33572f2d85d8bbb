/// Every server answers `rpc.describe` with the JSON shapes of one method's request and
/// response, so `rpc describe` shows what to send to a method without its source at hand.
public struct DescribeRequest: Codable, Sendable, Equatable {
    public var method: String

    public init(method: String) {
        self.method = method
    }
}

public struct MethodDescription: Codable, Sendable, Equatable {
    public var name: String
    public var isIdempotent: Bool
    /// ``PayloadShape/rendered(indent:)`` of the request type, as `rpc call` takes it.
    public var request: String
    public var response: String

    public init(name: String, isIdempotent: Bool, request: String, response: String) {
        self.name = name
        self.isIdempotent = isIdempotent
        self.request = request
        self.response = response
    }
}

extension RPCMethod where Request == DescribeRequest, Response == MethodDescription {
    public static let describe = RPCMethod(name: "rpc.describe", isIdempotent: true)
}
