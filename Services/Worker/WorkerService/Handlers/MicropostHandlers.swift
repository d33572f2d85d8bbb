import AppServer
import Hummingbird
import MicropostsModels
import RPC

extension MicropostsAPI {
    /// `GET /api/users/{username}/collection`
    func collection(_ call: APIRequest, _ viewer: AuthenticatedUser) async throws -> Response {
        let username = try call.username()
        let page = try call.page()
        let result = try await data.call(.listMicroposts, UserListRequest(username: username, page: page.request), context: call.context)
        return call.list(MicropostList(posts: result.items, links: call.links), hasNext: result.hasNext, page: page)
    }

    /// `POST /api/users/{username}/collection`: only into one's own collection.
    func createMicropost(_ call: APIRequest, _ author: AuthenticatedUser) async throws -> Response {
        let username = try call.username()
        guard username == author.username else {
            throw APIError.forbidden("Only \(username) can post to \(username)'s collection.")
        }
        let fields = try await call.fields()
        try fields.rejectUnknown(allowed: ["text", "referenced"])
        let request = CreateMicropostRequest(
            username: username, text: try fields.requiredString("text"), referenced: try fields.optionalString("referenced"))
        do { try request.validate() } catch { throw APIError.badRequest(error.message) }
        let post = try await data.call(.createMicropost, request, context: call.context)
        let body = MicropostBody(post: post, links: call.links)
        return EntityTag.response(status: .created, body: body, request: call.request, headers: [.location: body.href])
    }

    /// `GET /api/users/{username}/collection/{id}`
    func micropost(_ call: APIRequest, _ viewer: AuthenticatedUser) async throws -> Response {
        let request = GetMicropostRequest(username: try call.username(), id: try call.micropostID())
        let post = try await data.call(.getMicropost, request, context: call.context)
        return EntityTag.response(body: MicropostBody(post: post, links: call.links), request: call.request)
    }

    /// `PUT …/collection/{id}`: replaces text and referenced user (absent means none).
    func replaceMicropost(_ call: APIRequest, _ actor: AuthenticatedUser) async throws -> Response {
        let username = try call.username()
        let id = try call.micropostID()
        let fields = try await call.fields()
        try fields.rejectUnknown(allowed: ["text", "referenced"])
        let request = ReplaceMicropostRequest(
            username: username, id: id, actingUsername: actor.username,
            text: try fields.requiredString("text"), referenced: try fields.optionalString("referenced"))
        do { try request.validate() } catch { throw APIError.badRequest(error.message) }
        let post = try await data.call(.replaceMicropost, request, context: call.context, refine: Self.ownerOnly)
        return EntityTag.response(body: MicropostBody(post: post, links: call.links), request: call.request)
    }

    /// `PATCH …/collection/{id}`: changes only the fields given; `"referenced": null` clears it.
    func patchMicropost(_ call: APIRequest, _ actor: AuthenticatedUser) async throws -> Response {
        let username = try call.username()
        let id = try call.micropostID()
        let fields = try await call.fields()
        try fields.rejectUnknown(allowed: ["text", "referenced"])
        guard fields.contains("text") || fields.contains("referenced") else {
            throw APIError.badRequest("request body: give text, referenced or both.")
        }
        if fields.contains("text"), try fields.optionalString("text") == nil { throw APIError.badRequest("text: must not be null.") }
        let referenced: NullableUpdate<String> =
            switch try fields.presentNullableString("referenced") {
            case nil: .keep
            case .some(nil): .clear
            case .some(let name?): .set(name)
            }
        let request = PatchMicropostRequest(
            username: username, id: id, actingUsername: actor.username, text: try fields.optionalString("text"), referenced: referenced)
        do { try request.validate() } catch { throw APIError.badRequest(error.message) }
        let post = try await data.call(.patchMicropost, request, context: call.context, refine: Self.ownerOnly)
        return EntityTag.response(body: MicropostBody(post: post, links: call.links), request: call.request)
    }

    /// `DELETE …/collection/{id}`
    func deleteMicropost(_ call: APIRequest, _ actor: AuthenticatedUser) async throws -> Response {
        let request = DeleteMicropostRequest(username: try call.username(), id: try call.micropostID(), actingUsername: actor.username)
        _ = try await data.call(.deleteMicropost, request, context: call.context, refine: Self.ownerOnly)
        return JSONResponse.noContent()
    }

    /// `GET /api/users/{username}/timeline`
    func timeline(_ call: APIRequest, _ viewer: AuthenticatedUser) async throws -> Response {
        let username = try call.username()
        let page = try call.page()
        let result = try await data.call(
            .timeline, UserListRequest(username: username, page: page.request), context: call.context, caller: viewer.username)
        return call.list(MicropostList(posts: result.items, links: call.links), hasNext: result.hasNext, page: page)
    }

    /// `GET /api/search?text=…&username=…`
    func search(_ call: APIRequest, _ viewer: AuthenticatedUser) async throws -> Response {
        let page = try call.page()
        let request = SearchMicropostsRequest(
            text: try call.parameters.string("text"), username: try call.parameters.optionalString("username"), page: page.request)
        do { try request.validate() } catch { throw APIError.badRequest(error.message) }
        let result = try await data.call(.searchMicroposts, request, context: call.context, caller: viewer.username)
        return call.list(MicropostList(posts: result.items, links: call.links), hasNext: result.hasNext, page: page)
    }

    /// The data service's refusal to let a non-author change a post, in the API's words.
    private static func ownerOnly(_ error: RPCError) -> APIError? {
        error.code == .permissionDenied ? .forbidden("Only the author can change or delete this micropost.") : nil
    }
}
