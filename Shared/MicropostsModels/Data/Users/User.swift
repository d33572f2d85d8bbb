public import RPC

/// A registered user as other services see it: the password hash never leaves the data service.
public struct User: WireMessage, Hashable {
    public var username: String

    public init(username: String) {
        self.username = username
    }
}

extension User {
    public init() { self.init(username: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
    }
}
