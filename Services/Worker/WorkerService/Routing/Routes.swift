import AppServer
import Hummingbird

extension MicropostsAPI {
    /// Every operation of the Microposts API. The router and `GET /api/openapi.json` are both
    /// generated from this list.
    var routes: RouteTable<AuthenticatedUser> {
        typealias Reply = OperationDocumentation.Reply
        let micropostPath = "/api/users/{username}/collection/{id}"
        let notOwner = Reply(status: 403, description: "The micropost belongs to another user.", schema: "Error")
        let throttled = { (description: String) in Reply(status: 429, description: description, schema: "Error", headers: ["Retry-After"]) }
        // The data service rations searches and timelines per user (--expensive-calls-per-user).
        let tooMany = throttled("This user has too many searches or timelines running; retry after Retry-After seconds.")
        typealias Route = APIRoute<AuthenticatedUser>
        typealias P = MicropostsParameters
        return RouteTable(routes: [
            Route(
                method: .post, path: "/api/users",
                documentation: .init(
                    operationID: "registerUser", summary: "Register a user.", requestBody: .init(schema: "NewUser"),
                    replies: [
                        Reply(status: 201, description: "Registered.", schema: "User", headers: ["Location"]),
                        Reply(
                            status: 409, description: "The username is taken, in this or another mix of upper and lower case.",
                            schema: "Error"),
                        throttled("Too many registrations from this client address."),
                    ]),
                handler: .anyone(register)),
            Route(
                method: .post, path: "/api/token",
                documentation: .init(
                    operationID: "createToken", summary: "Log in: exchange username and password for an access token.",
                    requestBody: .init(schema: "TokenRequest", acceptsForm: true),
                    replies: [
                        Reply(status: 200, description: "An access token.", schema: "Token"),
                        throttled("Too many login attempts from this client address, or failed ones for this account."),
                    ]),
                handler: .anyone(login)),
            Route(
                method: .delete, path: "/api/token",
                documentation: .init(
                    operationID: "revokeToken", summary: "Log out: the presented token stops working everywhere.",
                    replies: [Reply(status: 204, description: "Revoked.")]),
                handler: .authenticated(logout)),
            Route(
                method: .get, path: "/api/users/{username}",
                parameters: [P.username],
                documentation: .init(
                    operationID: "getUser", summary: "A user.",
                    replies: [
                        Reply(status: 200, description: "The user.", schema: "User", headers: ["ETag"]),
                        Reply(status: 304, description: "Unchanged since the ETag given in If-None-Match.", headers: ["ETag"]),
                    ]),
                handler: .authenticated(user)),
            Route(
                method: .get, path: "/api/users/{username}/collection",
                parameters: [P.username] + P.paged,
                documentation: .init(
                    operationID: "listMicroposts", summary: "A user's microposts, newest first.",
                    replies: [Reply(status: 200, description: "One page.", schema: "MicropostPage")]),
                handler: .authenticated(collection)),
            Route(
                method: .post, path: "/api/users/{username}/collection",
                parameters: [P.username],
                documentation: .init(
                    operationID: "createMicropost", summary: "Post a micropost, as that user.", requestBody: .init(schema: "NewMicropost"),
                    replies: [
                        Reply(status: 201, description: "Posted.", schema: "Micropost", headers: ["Location", "ETag"]),
                        Reply(status: 403, description: "The collection belongs to another user.", schema: "Error"),
                    ]),
                handler: .authenticated(createMicropost)),
            Route(
                method: .get, path: micropostPath,
                parameters: [P.username, P.micropostID],
                documentation: .init(
                    operationID: "getMicropost", summary: "One micropost.",
                    replies: [
                        Reply(status: 200, description: "The micropost.", schema: "Micropost", headers: ["ETag"]),
                        Reply(status: 304, description: "Unchanged since the ETag given in If-None-Match.", headers: ["ETag"]),
                    ]),
                handler: .authenticated(micropost)),
            Route(
                method: .put, path: micropostPath,
                parameters: [P.username, P.micropostID],
                documentation: .init(
                    operationID: "replaceMicropost", summary: "Replace text and referenced user (author only).",
                    requestBody: .init(schema: "NewMicropost"),
                    replies: [Reply(status: 200, description: "Replaced.", schema: "Micropost", headers: ["ETag"]), notOwner]),
                handler: .authenticated(replaceMicropost)),
            Route(
                method: .patch, path: micropostPath,
                parameters: [P.username, P.micropostID],
                documentation: .init(
                    operationID: "updateMicropost", summary: "Change text and/or referenced user (author only).",
                    requestBody: .init(schema: "MicropostChanges"),
                    replies: [Reply(status: 200, description: "Updated.", schema: "Micropost", headers: ["ETag"]), notOwner]),
                handler: .authenticated(patchMicropost)),
            Route(
                method: .delete, path: micropostPath,
                parameters: [P.username, P.micropostID],
                documentation: .init(
                    operationID: "deleteMicropost", summary: "Delete a micropost (author only).",
                    replies: [Reply(status: 204, description: "Deleted."), notOwner]),
                handler: .authenticated(deleteMicropost)),
            Route(
                method: .get, path: "/api/users/{username}/timeline",
                parameters: [P.username] + P.paged,
                documentation: .init(
                    operationID: "getTimeline", summary: "Microposts of the users this user follows, newest first.",
                    replies: [Reply(status: 200, description: "One page.", schema: "MicropostPage"), tooMany]),
                handler: .authenticated(timeline)),
            Route(
                method: .get, path: "/api/users/{username}/following",
                parameters: [P.username] + P.paged,
                documentation: .init(
                    operationID: "listFollowing", summary: "The users this user follows.",
                    replies: [Reply(status: 200, description: "One page.", schema: "UserPage")]),
                handler: .authenticated(following)),
            Route(
                method: .post, path: "/api/users/{username}/following",
                parameters: [P.username],
                documentation: .init(
                    operationID: "follow", summary: "Follow a user, as that user.", requestBody: .init(schema: "FollowRequest"),
                    replies: [
                        Reply(status: 201, description: "Now following.", schema: "User", headers: ["Location"]),
                        Reply(status: 200, description: "Was already following.", schema: "User"),
                        Reply(status: 403, description: "Acting for another user.", schema: "Error"),
                    ]),
                handler: .authenticated(follow)),
            Route(
                method: .delete, path: "/api/users/{username}/following/{other}",
                parameters: [P.username, P.other],
                documentation: .init(
                    operationID: "unfollow", summary: "Stop following a user, as that user.",
                    replies: [
                        Reply(status: 204, description: "No longer following."),
                        Reply(status: 403, description: "Acting for another user.", schema: "Error"),
                    ]),
                handler: .authenticated(unfollow)),
            Route(
                method: .get, path: "/api/users/{username}/followers",
                parameters: [P.username] + P.paged,
                documentation: .init(
                    operationID: "listFollowers", summary: "The users following this user.",
                    replies: [Reply(status: 200, description: "One page.", schema: "UserPage")]),
                handler: .authenticated(followers)),
            Route(
                method: .get, path: "/api/search",
                parameters: [P.searchText, P.authorFragment] + P.paged,
                documentation: .init(
                    operationID: "searchMicroposts", summary: "Microposts containing a text, newest first.",
                    replies: [Reply(status: 200, description: "One page.", schema: "MicropostPage"), tooMany]),
                handler: .authenticated(search)),
            Route(
                method: .get, path: "/api/openapi.json",
                documentation: .init(
                    operationID: "getOpenAPI", summary: "This document.",
                    replies: [Reply(status: 200, description: "The OpenAPI 3 description of this API.", schema: "Document")]),
                handler: .anyone(openAPI)),
        ])
    }
}
