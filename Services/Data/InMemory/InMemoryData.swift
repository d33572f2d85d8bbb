public import MicropostsModels
import NIOConcurrencyHelpers
public import RPC

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The data service's RPC methods answered from memory, with the real service's observable
/// behaviour: the same validation, errors and messages, usernames unique ignoring case,
/// newest-first pages with an exact `hasNext`, the result window, the per-account login
/// throttle, and revocations kept until their end.
///
/// What it leaves out is what only a database needs: nothing persists, and there is no
/// statement batching, pool rationing of searches and timelines, or slow password hashing.
///
/// `data --in-memory` serves it, so a worker can be developed with no PostgreSQL; the
/// worker's tests serve it too, watching every call through a server interceptor.
public final class InMemoryData: Sendable {
    private let state = NIOLockedValueBox(InMemoryState())
    private let settings: InMemoryDataSettings
    private let passwords = PasswordDigests()
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - now: The time of day that creation and update times, revocation ends and login
    ///     windows are measured on.
    public init(settings: InMemoryDataSettings = InMemoryDataSettings(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.now = now
    }

    /// A router answering every data method, for an `RPCServer`.
    public func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        register(on: &router)
        return router
    }

    // MARK: Fixtures

    /// Stores `micropost` exactly as given (its id, author and times), replacing any post with
    /// its id; later posts get higher ids. Its users need not exist: a fixture may describe
    /// what the real service could return but this one would refuse to create.
    public func store(_ micropost: Micropost) {
        state.withLockedValue { $0.store(micropost) }
    }

    /// Revokes `tokenID` until `end`, as `tokens.revoke` does.
    public func revoke(tokenID: String, until end: Date) {
        let now = self.now()
        state.withLockedValue { $0.revoke(tokenID, until: end, now: now) }
    }

    /// When the revocation of `tokenID` may be forgotten, or nil if it is not revoked.
    public func revocationEnd(ofTokenID tokenID: String) -> Date? {
        state.withLockedValue { $0.revocations[tokenID] }
    }

    // MARK: Methods

    /// Registers every data method on `router`.
    public func register(on router: inout RPCRouter) {
        register(.registerUser, on: &router) { request in
            try request.validate()
            let digest = self.passwords.digest(request.password)
            return try self.state.withLockedValue { try $0.register(request.username, digest: digest) }
        }
        // Not validated: malformed credentials are simply wrong credentials.
        register(.logIn, on: &router) { request in self.logIn(request) }
        register(.verifyCredentials, on: &router) { request in
            let outcome = self.logIn(request)
            if let user = outcome.user { return user }
            if let seconds = outcome.retryAfterSeconds {
                throw RPCError(.resourceExhausted, "too many failed logins for this account; try again in \(seconds) s")
            }
            throw RPCError(.unauthenticated, "unknown username or wrong password")
        }
        register(.getUser, on: &router) { request in
            try request.validate()
            return try self.state.withLockedValue { try $0.user(request.username) }
        }

        register(.createMicropost, on: &router) { request in
            try request.validate()
            let now = self.storedNow()
            return try self.state.withLockedValue { try $0.create(request, now: now) }
        }
        register(.getMicropost, on: &router) { request in
            try request.validate()
            return try self.state.withLockedValue { try $0.post(request.id, in: request.username) }
        }
        register(.replaceMicropost, on: &router) { request in
            try request.validate()
            let now = self.storedNow()
            return try self.state.withLockedValue {
                try $0.update(
                    request.id, in: request.username, actingUsername: request.actingUsername, text: request.text,
                    referenced: .set(request.referenced), now: now)
            }
        }
        register(.patchMicropost, on: &router) { request in
            try request.validate()
            let now = self.storedNow()
            return try self.state.withLockedValue {
                try $0.update(
                    request.id, in: request.username, actingUsername: request.actingUsername, text: request.text,
                    referenced: request.referenced.isChanged ? .set(request.referenced.value) : .keep, now: now)
            }
        }
        register(.deleteMicropost, on: &router) { request in
            try request.validate()
            try self.state.withLockedValue { try $0.delete(request.id, in: request.username, actingUsername: request.actingUsername) }
            return NoContent()
        }
        register(.listMicroposts, on: &router) { request in
            try self.checkPage(request)
            return try self.state.withLockedValue { try $0.collection(of: request.username, request.page) }
        }
        register(.timeline, on: &router) { request in
            try self.checkPage(request)
            return try self.state.withLockedValue { try $0.timeline(of: request.username, request.page) }
        }
        register(.searchMicroposts, on: &router) { request in
            try request.validate()
            try request.page.checkDepth(maximumResultWindow: self.settings.maximumResultWindow)
            return self.state.withLockedValue { $0.search(request) }
        }

        register(.follow, on: &router) { request in
            try request.validate()
            return try self.state.withLockedValue { try $0.follow(request.username, request.other) }
        }
        register(.unfollow, on: &router) { request in
            try request.validate()
            return try self.state.withLockedValue { try $0.unfollow(request.username, request.other) }
        }
        register(.following, on: &router) { request in
            try self.checkPage(request)
            return try self.state.withLockedValue { try $0.follows(of: request.username, following: true, request.page) }
        }
        register(.followers, on: &router) { request in
            try self.checkPage(request)
            return try self.state.withLockedValue { try $0.follows(of: request.username, following: false, request.page) }
        }

        register(.revokeToken, on: &router) { request in
            try request.validate()
            self.revoke(tokenID: request.tokenID, until: request.expiresAt)
            return NoContent()
        }
        register(.checkRevokedTokens, on: &router) { request in
            try request.validate()
            let now = self.now()
            return self.state.withLockedValue { $0.revoked(among: request.tokenIDs, now: now) }
        }
    }

    private func register<Request, Response>(
        _ method: RPCMethod<Request, Response>, on router: inout RPCRouter,
        _ handler: @escaping @Sendable (Request) throws -> Response
    ) {
        router.register(method) { request, _ in try handler(request) }
    }

    /// Counted first, then checked; an unknown user is checked against nothing at the same cost.
    private func logIn(_ request: VerifyCredentialsRequest) -> LogInOutcome {
        let username = request.username
        guard (try? DataValidation.username(username)) != nil else { return .refused }
        let now = self.now()
        switch state.withLockedValue({ $0.admitLogin(username, now: now, settings: settings) }) {
        case .throttled(let retryAfterSeconds):
            return .throttled(retryAfterSeconds: retryAfterSeconds)
        case .check(let digest):
            guard passwords.matches(request.password, digest) else { return .refused }
            state.withLockedValue { $0.resetLoginAttempts(username) }
            return .verified(User(username: username))
        }
    }

    private func checkPage(_ request: UserListRequest) throws(RPCError) {
        try request.validate()
        try request.page.checkDepth(maximumResultWindow: settings.maximumResultWindow)
    }

    /// Now, to the microsecond: what a PostgreSQL `timestamptz` keeps, so a post reads back
    /// with the same times from either service.
    private func storedNow() -> Date {
        Date(timeIntervalSince1970: (now().timeIntervalSince1970 * 1_000_000).rounded(.down) / 1_000_000)
    }
}
