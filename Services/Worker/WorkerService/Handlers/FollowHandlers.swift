import AppServer
import Hummingbird
import MicropostsModels
import RPC

extension MicropostsAPI {
    /// `GET /api/users/{username}/following`
    func following(_ call: APIRequest, _ viewer: AuthenticatedUser) async throws -> Response {
        try await users(.following, call)
    }

    /// `GET /api/users/{username}/followers`
    func followers(_ call: APIRequest, _ viewer: AuthenticatedUser) async throws -> Response {
        try await users(.followers, call)
    }

    /// `POST /api/users/{username}/following` with `{"username": other}`: 201 for a new
    /// follow, 200 when it already existed (following is idempotent).
    func follow(_ call: APIRequest, _ follower: AuthenticatedUser) async throws -> Response {
        let username = try call.username()
        guard username == follower.username else {
            throw APIError.forbidden("Only \(username) can change whom \(username) follows.")
        }
        let fields = try await call.fields()
        try fields.rejectUnknown(allowed: ["username"])
        let other = try fields.requiredString("username")
        do { try DataValidation.username(other) } catch { throw APIError.badRequest(error.message) }
        guard other != username else { throw APIError.badRequest("username: you cannot follow yourself.") }
        let result = try await data.call(.follow, FollowRequest(username: username, other: other), context: call.context) { error in
            // The data service says `invalidArgument` for an unknown `other`: the user in the body.
            error.code == .invalidArgument ? .badRequest("username: no user named \(other).") : nil
        }
        let body = UserBody(username: other, links: call.links)
        if result.wasAlreadyFollowing {
            return JSONResponse.make(status: .ok, body: body)
        }
        return JSONResponse.make(status: .created, body: body, headers: [.location: call.links.follow(username, following: other)])
    }

    /// `DELETE /api/users/{username}/following/{other}`
    func unfollow(_ call: APIRequest, _ follower: AuthenticatedUser) async throws -> Response {
        let username = try call.username()
        let other = try call.username("other")
        guard username == follower.username else {
            throw APIError.forbidden("Only \(username) can change whom \(username) follows.")
        }
        let result = try await data.call(.unfollow, FollowRequest(username: username, other: other), context: call.context)
        guard result.wasFollowing else { throw APIError.notFound("\(username) does not follow \(other).") }
        return JSONResponse.noContent()
    }

    private func users(_ method: RPCMethod<UserListRequest, Page<User>>, _ call: APIRequest) async throws -> Response {
        let username = try call.username()
        let page = try call.page()
        let result = try await data.call(method, UserListRequest(username: username, page: page.request), context: call.context)
        return call.list(result.items.map { UserBody(username: $0.username, links: call.links) }, hasNext: result.hasNext, page: page)
    }
}
