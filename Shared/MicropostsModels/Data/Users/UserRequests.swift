public import RPC

public struct RegisterUserRequest: WireMessage, Hashable {
    public var username: String
    /// The plain password; the data service hashes it and stores only the hash.
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

public struct VerifyCredentialsRequest: WireMessage, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// What became of a login attempt: exactly one of verified (``user`` set), throttled
/// (``retryAfterSeconds`` set) or refused (neither).
public struct LogInOutcome: WireMessage, Hashable {
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

public struct GetUserRequest: WireMessage, Hashable {
    public var username: String

    public init(username: String) {
        self.username = username
    }
}

extension RegisterUserRequest {
    public init() { self.init(username: "", password: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
        try fields.field(2, "password", &password)
    }
}

extension VerifyCredentialsRequest {
    public init() { self.init(username: "", password: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
        try fields.field(2, "password", &password)
    }
}

extension LogInOutcome {
    public init() { self.init(user: nil, retryAfterSeconds: nil) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "user", &user)
        try fields.field(2, "retryAfterSeconds", &retryAfterSeconds)
    }
}

extension GetUserRequest {
    public init() { self.init(username: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
    }
}
