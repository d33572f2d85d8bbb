/// Every server answers `rpc.contract` with the wire contract of what it serves, in the
/// committed text form, so `rpc contract <target>` can compare a running fleet with a file.
public struct ContractText: WireMessage, Equatable {
    public var text: String

    public init(text: String) {
        self.text = text
    }

    public init() { self.init(text: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "text", &text)
    }
}

extension RPCMethod where Request == MethodListRequest, Response == ContractText {
    public static let contract = RPCMethod(name: "rpc.contract", isIdempotent: true)
}
