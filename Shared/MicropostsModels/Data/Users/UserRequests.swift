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

/// What became of a login attempt: exactly one of verified (``user`` set), throttled
/// (``retryAfterSeconds`` set) or refused (neither).
public struct LogInOutcome: Codable, Sendable, Hashable {
    /// The user, spelled as registered, when the password matched.
    public var user: User?
    /// Set when the attempt was refused without looking at the password: the account has had
    /// too many failed attempts. Whole seconds until it takes attempts again, at least 1.
    public var retryAfterSeconds: Int?

    public init(user: User? = nil, retryAfterSeconds: Int? = nil) {
        self.user = user
        self.retryAfterSeconds = retryAfterSeconds
    }

    public static func verified(_ user: User) -> LogInOutcome { LogInOutcome(user: user) }
    public static let refused = LogInOutcome()
    public static func throttled(retryAfterSeconds: Int) -> LogInOutcome { LogInOutcome(retryAfterSeconds: max(1, retryAfterSeconds)) }
}

public struct GetUserRequest: Codable, Sendable, Hashable {
    public var username: String

    public init(username: String) {
        self.username = username
    }
}
