public import RPC

/// `username` follows (or stops following) `other`.
public struct FollowRequest: WireMessage, Hashable {
    /// The follower. The caller has checked that the authenticated user is this user.
    public var username: String
    public var other: String

    public init(username: String, other: String) {
        self.username = username
        self.other = other
    }
}

public struct FollowResponse: WireMessage, Hashable {
    /// True when the follow existed before the call (the call changed nothing).
    public var wasAlreadyFollowing: Bool

    public init(wasAlreadyFollowing: Bool) {
        self.wasAlreadyFollowing = wasAlreadyFollowing
    }
}

public struct UnfollowResponse: WireMessage, Hashable {
    /// False when there was no such follow (the call changed nothing).
    public var wasFollowing: Bool

    public init(wasFollowing: Bool) {
        self.wasFollowing = wasFollowing
    }
}

extension FollowRequest {
    public init() { self.init(username: "", other: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
        try fields.field(2, "other", &other)
    }
}

extension FollowResponse {
    public init() { self.init(wasAlreadyFollowing: false) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "wasAlreadyFollowing", &wasAlreadyFollowing)
    }
}

extension UnfollowResponse {
    public init() { self.init(wasFollowing: false) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "wasFollowing", &wasFollowing)
    }
}
