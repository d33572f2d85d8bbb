public import RPC

/// The response of a method whose success says everything, e.g. deleting a micropost.
public struct NoContent: WireMessage, Hashable {
    public init() {}
}

extension NoContent {
    public mutating func wireFields(_ fields: inout WireFields) throws {}
}
