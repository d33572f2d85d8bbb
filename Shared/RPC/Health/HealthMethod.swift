/// Every server answers `rpc.health`, so a client, a probe or `rpc health` can ask any
/// service whether it takes traffic without knowing its other methods.
public struct HealthRequest: Codable, Sendable, Equatable {
    public init() {}
}

public struct HealthResponse: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case serving
        case notServing
    }

    public var status: Status
    public var service: String

    public init(status: Status, service: String) {
        self.status = status
        self.service = service
    }
}

extension RPCMethod where Request == HealthRequest, Response == HealthResponse {
    public static let health = RPCMethod(name: "rpc.health", isIdempotent: true)
}
