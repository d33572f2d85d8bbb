import Hummingbird

extension MicropostsAPI {
    /// Every operation of the Microposts API. The router and `GET /api/openapi.json` are both
    /// generated from this list.
    var routes: RouteTable {
        typealias Reply = OperationDocumentation.Reply
        let paged = [Self.pageParameter, Self.sizeParameter]
        let micropostPath = "/api/users/{username}/collection/{id}"
        let notOwner = Reply(status: 403, description: "The micropost belongs to another user.", schema: "Error")
        let throttled = { (description: String) in Reply(status: 429, description: description, schema: "Error", headers: ["Retry-After"]) }
        // The data service rations searches and timelines per user (--expensive-calls-per-user).
        let tooMany = throttled("This user has too many searches or timelines running; retry after Retry-After seconds.")
        return RouteTable(routes: [
            APIRoute(
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
            APIRoute(
                method: .post, path: "/api/token",
                documentation: .init(
                    operationID: "createToken", summary: "Log in: exchange username and password for an access token.",
                    requestBody: .init(schema: "TokenRequest", acceptsForm: true),
                    replies: [
                        Reply(status: 200, description: "An access token.", schema: "Token"),
                        throttled("Too many login attempts from this client address, or failed ones for this account."),
                    ]),
                handler: .anyone(login)),
            APIRoute(
                method: .delete, path: "/api/token",
                documentation: .init(
                    operationID: "revokeToken", summary: "Log out: the presented token stops working everywhere.",
                    replies: [Reply(status: 204, description: "Revoked.")]),
                handler: .authenticated(logout)),
            APIRoute(
                method: .get, path: "/api/users/{username}",
                documentation: .init(
                    operationID: "getUser", summary: "A user.",
                    replies: [
                        Reply(status: 200, description: "The user.", schema: "User", headers: ["ETag"]),
                        Reply(status: 304, description: "Unchanged since the ETag given in If-None-Match.", headers: ["ETag"]),
                    ]),
                handler: .authenticated(user)),
            APIRoute(
                method: .get, path: "/api/users/{username}/collection",
                documentation: .init(
                    operationID: "listMicroposts", summary: "A user's microposts, newest first.", query: paged,
                    replies: [Reply(status: 200, description: "One page.", schema: "MicropostPage")]),
                handler: .authenticated(collection)),
            APIRoute(
                method: .post, path: "/api/users/{username}/collection",
                documentation: .init(
                    operationID: "createMicropost", summary: "Post a micropost, as that user.", requestBody: .init(schema: "NewMicropost"),
                    replies: [
                        Reply(status: 201, description: "Posted.", schema: "Micropost", headers: ["Location", "ETag"]),
                        Reply(status: 403, description: "The collection belongs to another user.", schema: "Error"),
                    ]),
                handler: .authenticated(createMicropost)),
            APIRoute(
                method: .get, path: micropostPath,
                documentation: .init(
                    operationID: "getMicropost", summary: "One micropost.",
                    replies: [
                        Reply(status: 200, description: "The micropost.", schema: "Micropost", headers: ["ETag"]),
                        Reply(status: 304, description: "Unchanged since the ETag given in If-None-Match.", headers: ["ETag"]),
                    ]),
                handler: .authenticated(micropost)),
            APIRoute(
                method: .put, path: micropostPath,
                documentation: .init(
                    operationID: "replaceMicropost", summary: "Replace text and referenced user (author only).",
                    requestBody: .init(schema: "NewMicropost"),
                    replies: [Reply(status: 200, description: "Replaced.", schema: "Micropost", headers: ["ETag"]), notOwner]),
                handler: .authenticated(replaceMicropost)),
            APIRoute(
                method: .patch, path: micropostPath,
                documentation: .init(
                    operationID: "updateMicropost", summary: "Change text and/or referenced user (author only).",
                    requestBody: .init(schema: "MicropostChanges"),
                    replies: [Reply(status: 200, description: "Updated.", schema: "Micropost", headers: ["ETag"]), notOwner]),
                handler: .authenticated(patchMicropost)),
            APIRoute(
                method: .delete, path: micropostPath,
                documentation: .init(
                    operationID: "deleteMicropost", summary: "Delete a micropost (author only).",
                    replies: [Reply(status: 204, description: "Deleted."), notOwner]),
                handler: .authenticated(deleteMicropost)),
            APIRoute(
                method: .get, path: "/api/users/{username}/timeline",
                documentation: .init(
                    operationID: "getTimeline", summary: "Microposts of the users this user follows, newest first.", query: paged,
                    replies: [Reply(status: 200, description: "One page.", schema: "MicropostPage"), tooMany]),
                handler: .authenticated(timeline)),
            APIRoute(
                method: .get, path: "/api/users/{username}/following",
                documentation: .init(
                    operationID: "listFollowing", summary: "The users this user follows.", query: paged,
                    replies: [Reply(status: 200, description: "One page.", schema: "UserPage")]),
                handler: .authenticated(following)),
            APIRoute(
                method: .post, path: "/api/users/{username}/following",
                documentation: .init(
                    operationID: "follow", summary: "Follow a user, as that user.", requestBody: .init(schema: "FollowRequest"),
                    replies: [
                        Reply(status: 201, description: "Now following.", schema: "User", headers: ["Location"]),
                        Reply(status: 200, description: "Was already following.", schema: "User"),
                        Reply(status: 403, description: "Acting for another user.", schema: "Error"),
                    ]),
                handler: .authenticated(follow)),
            APIRoute(
                method: .delete, path: "/api/users/{username}/following/{other}",
                documentation: .init(
                    operationID: "unfollow", summary: "Stop following a user, as that user.",
                    replies: [
                        Reply(status: 204, description: "No longer following."),
                        Reply(status: 403, description: "Acting for another user.", schema: "Error"),
                    ]),
                handler: .authenticated(unfollow)),
            APIRoute(
                method: .get, path: "/api/users/{username}/followers",
                documentation: .init(
                    operationID: "listFollowers", summary: "The users following this user.", query: paged,
                    replies: [Reply(status: 200, description: "One page.", schema: "UserPage")]),
                handler: .authenticated(followers)),
            APIRoute(
                method: .get, path: "/api/search",
                documentation: .init(
                    operationID: "searchMicroposts", summary: "Microposts containing a text, newest first.",
                    query: [
                        .init(
                            name: "text", description: "Text the micropost contains (case-insensitive).",
                            schema: ["type": "string", "minLength": 3, "maxLength": 255], isRequired: true),
                        .init(
                            name: "username", description: "Only authors whose username contains this (case-insensitive).",
                            schema: ["type": "string", "minLength": 1, "maxLength": 50]),
                    ] + paged,
                    replies: [Reply(status: 200, description: "One page.", schema: "MicropostPage"), tooMany]),
                handler: .authenticated(search)),
            APIRoute(
                method: .get, path: "/api/openapi.json",
                documentation: .init(
                    operationID: "getOpenAPI", summary: "This document.",
                    replies: [Reply(status: 200, description: "The OpenAPI 3 description of this API.", schema: "Document")]),
                handler: .anyone(openAPI)),
        ])
    }

    static let pageParameter = OperationDocumentation.QueryParameter(
        name: "page",
        description: "Page number, from 1. page × size may reach at most the data service's result window "
            + "(--max-result-window, 10000 by default); deeper pages are answered 400.",
        schema: ["type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1])
    static let sizeParameter = OperationDocumentation.QueryParameter(
        name: "size", description: "Items per page.", schema: ["type": "integer", "minimum": 1, "maximum": 100, "default": 20])
}
