import AppServer
import ServiceKit

/// What the route handlers need: the data service, token verification and issuing, and the
/// per-address throttles of the endpoints that hash passwords.
/// The handlers are its methods, one file per resource; `Routing/Routes.swift` maps them to
/// methods and paths.
struct MicropostsAPI: Sendable {
    let data: DataClient
    let authenticator: Authenticator
    let issuer: TokenIssuer
    let throttles: CredentialThrottles
    let openAPIDocuments = OpenAPIDocumentCache()

    var revocations: RevocationCache { authenticator.revocations }
}

/// Per-address limits on `POST /api/token` and `POST /api/users` (nil: off). See
/// ``AddressThrottle`` for why they live in each worker.
struct CredentialThrottles: Sendable {
    var login: AddressThrottle?
    var registration: AddressThrottle?

    static let off = CredentialThrottles()

    /// Throws 429 when `address` has used up its allowance at `throttle`.
    static func admit(_ address: String, to throttle: AddressThrottle?, what: String) throws(APIError) {
        guard let throttle, case .limited(let seconds) = throttle.take(address: address) else { return }
        throw .tooManyRequests("Too many \(what) from this address; try again in \(seconds) s.", retryAfterSeconds: seconds)
    }
}
