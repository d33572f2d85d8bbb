import AppServer
import Foundation
import Logging
import MicropostsModels
import NIOConcurrencyHelpers
import RPC

@testable import WorkerService

/// The data service's methods over a real `RPCServer`, backed by memory: the worker is tested
/// at its RPC boundary, with the same descriptors, encoding, metadata and deadlines as in
/// production. Calls and their metadata are recorded; any method can be made to fail.
///
/// Revocations behave as the real service's do: reported until their `expiresAt` on `clock`,
/// then forgotten.
final class FakeDataService: Sendable {
    struct State {
        var passwords: [String: String] = [:]
        var posts: [Int64: Micropost] = [:]
        var nextID: Int64 = 1
        var follows: [(follower: String, followed: String)] = []
        var revoked: [String: Date] = [:]
        /// Accounts whose logins answer "throttled" with these seconds.
        var throttledAccounts: [String: Int] = [:]
        var calls: [(method: String, metadata: RPCMetadata, hasDeadline: Bool)] = []
        var failures: [String: RPCError] = [:]
        var delays: [String: Duration] = [:]
    }

    let state = NIOLockedValueBox(State())
    let clock: WallClock

    init(clock: WallClock = .system) {
        self.clock = clock
    }

    /// Makes `method` answer only after `delay` (nil: at once again).
    func delay(_ method: String, by delay: Duration?) {
        state.withLockedValue { $0.delays[method] = delay }
    }

    func fail(_ method: String, with error: RPCError?) {
        state.withLockedValue { $0.failures[method] = error }
    }

    func calls(to method: String) -> Int {
        state.withLockedValue { $0.calls.filter { $0.method == method }.count }
    }

    var lastCall: (method: String, metadata: RPCMetadata, hasDeadline: Bool)? {
        state.withLockedValue { $0.calls.last }
    }

    func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        register(&router, .registerUser) { s, r in
            try r.validate()
            guard s.passwords[r.username] == nil else { throw RPCError.alreadyExists("username: taken") }
            s.passwords[r.username] = r.password
            return User(username: r.username)
        }
        register(&router, .verifyCredentials) { s, r in
            guard s.passwords[r.username] == r.password else { throw RPCError(.unauthenticated, "wrong username or password") }
            return User(username: r.username)
        }
        register(&router, .logIn) { s, r in
            if let seconds = s.throttledAccounts[r.username.lowercased()] { return .throttled(retryAfterSeconds: seconds) }
            return s.passwords[r.username] == r.password ? .verified(User(username: r.username)) : .refused
        }
        register(&router, .getUser) { s, r in
            try r.validate()
            guard s.passwords[r.username] != nil else { throw RPCError.notFound("no user named \(r.username)") }
            return User(username: r.username)
        }
        register(&router, .createMicropost) { s, r in
            try r.validate()
            guard s.passwords[r.username] != nil else { throw RPCError.notFound("no user named \(r.username)") }
            if let referenced = r.referenced, s.passwords[referenced] == nil {
                throw RPCError.invalidArgument("referenced: no user named \(referenced)")
            }
            let post = Micropost(
                id: s.nextID, author: r.username, text: r.text, referenced: r.referenced, createdAt: Date(), updatedAt: Date())
            s.posts[post.id] = post
            s.nextID += 1
            return post
        }
        register(&router, .getMicropost) { s, r in try Self.post(&s, r.username, r.id) }
        register(&router, .replaceMicropost) { s, r in
            var post = try Self.owned(&s, r.username, r.id, by: r.actingUsername)
            if let referenced = r.referenced, s.passwords[referenced] == nil {
                throw RPCError.invalidArgument("referenced: no user named \(referenced)")
            }
            post.text = r.text
            post.referenced = r.referenced
            s.posts[post.id] = post
            return post
        }
        register(&router, .patchMicropost) { s, r in
            var post = try Self.owned(&s, r.username, r.id, by: r.actingUsername)
            if let text = r.text { post.text = text }
            if r.referenced.isChanged { post.referenced = r.referenced.value }
            s.posts[post.id] = post
            return post
        }
        register(&router, .deleteMicropost) { s, r in
            _ = try Self.owned(&s, r.username, r.id, by: r.actingUsername)
            s.posts[r.id] = nil
            return NoContent()
        }
        register(&router, .listMicroposts) { s, r in
            try Self.requireUser(s, r.username)
            return Self.page(s.posts.values.filter { $0.author == r.username }, r.page)
        }
        register(&router, .timeline) { s, r in
            try Self.requireUser(s, r.username)
            let followed = Set(s.follows.filter { $0.follower == r.username }.map(\.followed))
            return Self.page(s.posts.values.filter { followed.contains($0.author) }, r.page)
        }
        register(&router, .searchMicroposts) { s, r in
            try r.validate()
            let matches = s.posts.values.filter { post in
                post.text.lowercased().contains(r.text.lowercased())
                    && (r.username.map { post.author.lowercased().contains($0.lowercased()) } ?? true)
            }
            return Self.page(matches, r.page)
        }
        register(&router, .follow) { s, r in
            try Self.requireUser(s, r.username)
            guard s.passwords[r.other] != nil, r.other != r.username else { throw RPCError.invalidArgument("other: no such user") }
            let exists = s.follows.contains { $0 == (r.username, r.other) }
            if !exists { s.follows.append((r.username, r.other)) }
            return FollowResponse(wasAlreadyFollowing: exists)
        }
        register(&router, .unfollow) { s, r in
            try Self.requireUser(s, r.username)
            try Self.requireUser(s, r.other)
            let before = s.follows.count
            s.follows.removeAll { $0 == (r.username, r.other) }
            return UnfollowResponse(wasFollowing: s.follows.count != before)
        }
        register(&router, .following) { s, r in
            try Self.requireUser(s, r.username)
            return Self.userPage(s.follows.filter { $0.follower == r.username }.map(\.followed), r.page)
        }
        register(&router, .followers) { s, r in
            try Self.requireUser(s, r.username)
            return Self.userPage(s.follows.filter { $0.followed == r.username }.map(\.follower), r.page)
        }
        register(&router, .revokeToken) { s, r in
            s.revoked[r.tokenID] = r.expiresAt
            return NoContent()
        }
        let clock = self.clock
        register(&router, .checkRevokedTokens) { s, r in
            let now = clock.now()
            return RevokedTokens(revokedIDs: r.tokenIDs.filter { s.revoked[$0].map { $0 > now } ?? false })
        }
        return router
    }

    private func register<Request, Response>(
        _ router: inout RPCRouter, _ method: RPCMethod<Request, Response>,
        _ body: @escaping @Sendable (inout State, Request) throws -> Response
    ) {
        router.register(method) { request, context in
            if let delay = self.state.withLockedValue({ $0.delays[method.name] }) { try await Task.sleep(for: delay) }
            return try self.state.withLockedValue { state in
                state.calls.append((method.name, context.metadata, context.deadline != nil))
                if let failure = state.failures[method.name] { throw failure }
                return try body(&state, request)
            }
        }
    }

    private static func requireUser(_ state: State, _ username: String) throws {
        guard state.passwords[username] != nil else { throw RPCError.notFound("no user named \(username)") }
    }

    private static func post(_ state: inout State, _ username: String, _ id: Int64) throws -> Micropost {
        guard let post = state.posts[id], post.author == username else {
            throw RPCError.notFound("no micropost \(id) in \(username)'s collection")
        }
        return post
    }

    private static func owned(_ state: inout State, _ username: String, _ id: Int64, by actor: String) throws -> Micropost {
        let post = try post(&state, username, id)
        guard post.author == actor else { throw RPCError(.permissionDenied, "not the author") }
        return post
    }

    private static func page(_ posts: some Sequence<Micropost>, _ page: PageRequest) -> Page<Micropost> {
        let sorted = posts.sorted { $0.id > $1.id }
        let start = (page.page - 1) * page.size
        let slice = sorted.dropFirst(start).prefix(page.size)
        return Page(items: Array(slice), hasNext: sorted.count > start + page.size)
    }

    private static func userPage(_ names: [String], _ page: PageRequest) -> Page<User> {
        let start = (page.page - 1) * page.size
        let newest = Array(names.reversed())
        return Page(items: newest.dropFirst(start).prefix(page.size).map(User.init), hasNext: newest.count > start + page.size)
    }
}
