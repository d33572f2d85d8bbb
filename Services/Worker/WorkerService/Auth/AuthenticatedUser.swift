#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The verified bearer of a request's access token.
struct AuthenticatedUser: Sendable, Equatable {
    var username: String
    var tokenID: String
    var expiresAt: Date
    /// The last moment any worker accepts the token: `expiresAt` plus the verifiers' clock
    /// leeway. A logout must be remembered until then, not merely until `expiresAt`.
    var acceptedUntil: Date
}
