public struct RegisterUserRequest: Codable, Sendable, Hashable {
    public var username: String
    /// The plain password; the data service hashes it and stores only the hash.
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

public struct VerifyCredentialsRequest: Codable, Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

public struct GetUserRequest: Codable, Sendable, Hashable {
    public var username: String

    public init(username: String) {
        self.username = username
    }
}
