import AppServer
import Hummingbird
import MicropostsModels
import RPC

extension MicropostsAPI {
    /// `POST /api/users`: registration.
    func register(_ call: APIRequest) async throws -> Response {
        try CredentialThrottles.admit(call.context.clientAddress, to: throttles.registration, what: "registrations")
        let fields = try await call.fields()
        try fields.rejectUnknown(allowed: ["username", "password"])
        let request = RegisterUserRequest(username: try fields.requiredString("username"), password: try fields.requiredString("password"))
        // Checked here too so a bad value is a 400 naming the field without a round trip.
        do { try request.validate() } catch { throw APIError.badRequest(error.message) }
        let user = try await data.call(.registerUser, request, context: call.context) { error in
            error.code == .alreadyExists
                ? .conflict("username: \(request.username) is already taken (usernames that differ only in case count as the same).") : nil
        }
        let location = call.links.user(user.username)
        return JSONResponse.make(
            status: .created, body: UserBody(username: user.username, links: call.links), headers: [.location: location])
    }

    /// `GET /api/users/{username}`
    func user(_ call: APIRequest, _ viewer: AuthenticatedUser) async throws -> Response {
        let username = try call.username()
        let user = try await data.call(.getUser, GetUserRequest(username: username), context: call.context)
        return EntityTag.response(body: UserBody(username: user.username, links: call.links), request: call.request)
    }
}
