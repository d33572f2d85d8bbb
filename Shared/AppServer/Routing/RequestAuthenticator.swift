public import Hummingbird

/// The app's authentication policy, the seam between a route that requires credentials and
/// whatever the app accepts as them (a bearer token, a session, a client certificate…).
///
/// ``RouteTable/makeRouter(authenticator:)`` calls it before an authenticated route's handler;
/// it throws an ``APIError`` (usually `unauthorized`) to refuse, and otherwise returns the
/// principal the handler receives.
public protocol RequestAuthenticator<Principal>: Sendable {
    associatedtype Principal: Sendable

    func authenticate(_ request: Request, context: AppRequestContext) async throws -> Principal
}

/// For an API without authenticated routes.
public struct NoAuthentication: RequestAuthenticator {
    /// The authenticator of an API whose routes all take `.anyone`.
    public init() {}

    /// Never called: no route requires authentication.
    public func authenticate(_ request: Request, context: AppRequestContext) async throws -> Never {
        throw APIError.internal
    }
}
