/// The methods a server serves, by wire name (``RPCMethod/wireName``): the payload of its
/// catalog frame. A client sends a call only to instances whose catalog has the method, so
/// during a rolling upgrade a new method is used only where it exists.
public struct MethodCatalog: WireMessage, Equatable {
    /// Sorted.
    public var methods: [String]

    public init(methods: [String]) {
        self.methods = methods
    }

    public init() { self.init(methods: []) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "methods", &methods)
    }
}
