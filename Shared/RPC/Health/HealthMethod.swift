/// Every server answers `rpc.health`, so a client, a probe or `rpc health` can ask any
/// service whether it takes traffic without knowing its other methods.
public struct HealthRequest: WireMessage, Equatable {
    public init() {}

    public mutating func wireFields(_ fields: inout WireFields) throws {}
}

public struct HealthResponse: WireMessage, Equatable {
    public enum Status: Int32, WireEnum {
        /// A status this side does not know (from a newer peer): not serving, as far as it can tell.
        case unknown = 0
        case serving = 1
        case notServing = 2

        public static var unknownCase: Status { .unknown }
    }

    public var status: Status
    public var service: String

    public init(status: Status, service: String) {
        self.status = status
        self.service = service
    }

    public init() { self.init(status: .unknown, service: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "status", &status)
        try fields.field(2, "service", &service)
    }
}

extension RPCMethod where Request == HealthRequest, Response == HealthResponse {
    public static let health = RPCMethod(name: "rpc.health", isIdempotent: true)
}
