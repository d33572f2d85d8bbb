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
}
