/// `username` follows (or stops following) `other`.
public struct FollowRequest: Codable, Sendable, Hashable {
    /// The follower. The caller has checked that the authenticated user is this user.
    public var username: String
    public var other: String

    public init(username: String, other: String) {
        self.username = username
        self.other = other
    }
}

public struct FollowResponse: Codable, Sendable, Hashable {
    /// True when the follow existed before the call (the call changed nothing).
    public var wasAlreadyFollowing: Bool

    public init(wasAlreadyFollowing: Bool) {
        self.wasAlreadyFollowing = wasAlreadyFollowing
    }
}

public struct UnfollowResponse: Codable, Sendable, Hashable {
    /// False when there was no such follow (the call changed nothing).
    public var wasFollowing: Bool

    public init(wasFollowing: Bool) {
        self.wasFollowing = wasFollowing
    }
}
