/// The response of a method whose success says everything, e.g. deleting a micropost.
public struct NoContent: Codable, Sendable, Hashable {
    public init() {}
}
