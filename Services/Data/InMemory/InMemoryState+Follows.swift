import MicropostsModels
import RPC

extension InMemoryState {
    mutating func follow(_ username: String, _ other: String) throws(RPCError) -> FollowResponse {
        guard username != other else { throw .invalidArgument("other: a user cannot follow themselves") }
        guard userExists(username) else { throw .notFound("no user '\(username)'") }
        guard userExists(other) else { throw .invalidArgument("other: no user '\(other)'") }
        if following[username]?.contains(other) == true { return FollowResponse(wasAlreadyFollowing: true) }
        following[username, default: []].append(other)
        followers[other, default: []].append(username)
        return FollowResponse(wasAlreadyFollowing: false)
    }

    mutating func unfollow(_ username: String, _ other: String) throws(RPCError) -> UnfollowResponse {
        guard userExists(username) else { throw .notFound("no user '\(username)'") }
        guard userExists(other) else { throw .notFound("no user '\(other)'") }
        guard let index = following[username]?.firstIndex(of: other) else { return UnfollowResponse(wasFollowing: false) }
        following[username]?.remove(at: index)
        followers[other]?.removeAll { $0 == username }
        return UnfollowResponse(wasFollowing: true)
    }

    /// Whom `username` follows, or who follows them: most recent follow first.
    func follows(of username: String, following isFollowing: Bool, _ page: PageRequest) throws(RPCError) -> Page<User> {
        guard userExists(username) else { throw .notFound("no user '\(username)'") }
        let names = (isFollowing ? following : followers)[username] ?? []
        return page.slice(names.reversed().lazy.map(User.init(username:)))
    }
}
