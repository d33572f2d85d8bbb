/// A registered user as other services see it: the password hash never leaves the data service.
public struct User: Codable, Sendable, Hashable {
    public var username: String

    public init(username: String) {
        self.username = username
    }
}
