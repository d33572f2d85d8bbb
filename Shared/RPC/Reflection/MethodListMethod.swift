/// Every server answers `rpc.methods` with the methods it serves, so `rpc list` (and a peer)
/// can see what an instance speaks without knowing its code.
public struct MethodListRequest: WireMessage, Equatable {
    public init() {}

    public mutating func wireFields(_ fields: inout WireFields) throws {}
}

public struct MethodList: WireMessage, Equatable {
    public struct Method: WireMessage, Equatable {
        public var name: String
        /// Whether a call may be repeated after it may have reached a handler.
        public var isIdempotent: Bool

        public init(name: String, isIdempotent: Bool) {
            self.name = name
            self.isIdempotent = isIdempotent
        }

        public init() { self.init(name: "", isIdempotent: false) }

        public mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "name", &name)
            try fields.field(2, "isIdempotent", &isIdempotent)
        }
    }

    /// Sorted by name.
    public var methods: [Method]

    public init(methods: [Method]) {
        self.methods = methods
    }

    public init() { self.init(methods: []) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "methods", &methods)
    }
}

extension RPCMethod where Request == MethodListRequest, Response == MethodList {
    public static let methodList = RPCMethod(name: "rpc.methods", isIdempotent: true)
}
