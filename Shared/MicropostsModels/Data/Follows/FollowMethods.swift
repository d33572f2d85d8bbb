public import RPC

extension RPCMethod where Request == FollowRequest, Response == FollowResponse {
    /// Errors: `notFound` (no such follower), `invalidArgument` (`other` is the follower
    /// or does not exist). Idempotent: following twice is one follow.
    public static let follow = RPCMethod(name: "follows.follow", isIdempotent: true, errors: [.notFound, .alreadyExists])
}

extension RPCMethod where Request == FollowRequest, Response == UnfollowResponse {
    /// Errors: `notFound` (either user does not exist). Idempotent: `wasFollowing` tells
    /// whether there was anything to remove.
    public static let unfollow = RPCMethod(name: "follows.unfollow", isIdempotent: true, errors: [.notFound])
}

extension RPCMethod where Request == UserListRequest, Response == Page<User> {
    /// Whom the user follows, most recently followed first. Errors: `notFound` (no such user).
    public static let following = RPCMethod(name: "follows.following", isIdempotent: true, errors: [.notFound])

    /// Who follows the user, most recent follower first. Errors: `notFound` (no such user).
    public static let followers = RPCMethod(name: "follows.followers", isIdempotent: true, errors: [.notFound])
}
