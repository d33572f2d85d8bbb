/// Every server answers `rpc.methods` with the methods it serves, so `rpc list` (and a peer)
/// can see what an instance speaks without knowing its code.
public struct MethodListRequest: Codable, Sendable, Equatable {
    public init() {}
}

public struct MethodList: Codable, Sendable, Equatable {
    public struct Method: Codable, Sendable, Equatable {
        public var name: String
        /// Whether a call may be repeated after it may have reached a handler.
        public var isIdempotent: Bool

        public init(name: String, isIdempotent: Bool) {
            self.name = name
            self.isIdempotent = isIdempotent
        }
    }

    /// Sorted by name.
    public var methods: [Method]

    public init(methods: [Method]) {
        self.methods = methods
    }
}

extension RPCMethod where Request == MethodListRequest, Response == MethodList {
    public static let methodList = RPCMethod(name: "rpc.methods", isIdempotent: true)
}
