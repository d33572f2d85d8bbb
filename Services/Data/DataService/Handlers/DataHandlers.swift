import MicropostsModels
import PostgresData
import RPC

/// The data service's RPC methods: each checks its request's fields, then runs its
/// repository method within the call's deadline.
struct DataHandlers: Sendable {
    let users: UserRepository
    let microposts: MicropostRepository
    let lists: MicropostListRepository
    let follows: FollowRepository
    let tokens: RevokedTokenRepository
    let pageDepth: PageDepthLimit
    let expensiveCalls: ExpensiveCallGate

    init(
        database: Database, hasher: PasswordHasher, loginThrottle: LoginThrottleSettings,
        micropostReads: StatementBatcher<Int64, Micropost>, userReads: StatementBatcher<String, String>,
        micropostInserts: StatementBatcher<PendingInsert, InsertOutcome>,
        collectionPages: StatementBatcher<CollectionPageKey, MicropostColumnArrays>,
        pageDepth: PageDepthLimit, expensiveCalls: ExpensiveCallGate, usersWritten: @escaping @Sendable () -> Void
    ) {
        self.pageDepth = pageDepth
        self.expensiveCalls = expensiveCalls
        users = UserRepository(
            database: database, hasher: hasher, attempts: LoginAttemptRepository(database: database, settings: loginThrottle),
            pointReads: userReads, written: usersWritten)
        microposts = MicropostRepository(database: database, pointReads: micropostReads, inserts: micropostInserts)
        lists = MicropostListRepository(database: database, collectionPages: collectionPages)
        follows = FollowRepository(database: database)
        tokens = RevokedTokenRepository(database: database)
    }

    func register(on router: inout RPCRouter) {
        router.register(.registerUser, validating: users.register)
        // Not validated: malformed credentials are simply wrong credentials.
        router.register(.logIn) { request, context in
            try await users.logIn(request, DatabaseCall(context))
        }
        router.register(.verifyCredentials) { request, context in
            try await users.verifyCredentials(request, DatabaseCall(context))
        }
        router.register(.getUser, validating: users.get)

        router.register(.createMicropost, validating: microposts.create)
        router.register(.getMicropost, validating: microposts.get)
        router.register(.replaceMicropost, validating: microposts.replace)
        router.register(.patchMicropost, validating: microposts.patch)
        router.register(
            .deleteMicropost,
            validating: { request, call in
                try await microposts.delete(request, call)
                return NoContent()
            })
        // A collection page is one index range of one author (after the depth check), so it
        // stays cheap; a timeline merges every followed author's posts and a search may scan
        // the whole table, so those are rationed.
        router.register(.listMicroposts, paged: pageDepth, lists.collection)
        router.register(.timeline, paged: pageDepth, expensive: expensiveCalls, lists.timeline)
        router.register(.searchMicroposts, paged: pageDepth, expensive: expensiveCalls, lists.search)

        router.register(.follow, validating: follows.follow)
        router.register(.unfollow, validating: follows.unfollow)
        router.register(.following, paged: pageDepth, follows.following)
        router.register(.followers, paged: pageDepth, follows.followers)

        router.register(
            .revokeToken,
            validating: { request, call in
                try await tokens.revoke(request, call)
                return NoContent()
            })
        router.register(.checkRevokedTokens, validating: tokens.revoked)
    }
}

extension RPCRouter {
    /// Registers a handler that runs only for requests whose fields pass `validate()`.
    fileprivate mutating func register<Request: ValidatedRequest, Response>(
        _ method: RPCMethod<Request, Response>,
        validating handler: @escaping @Sendable (Request, DatabaseCall) async throws -> Response
    ) {
        register(method) { request, context in
            try request.validate()
            return try await handler(request, DatabaseCall(context))
        }
    }

    /// Registers a list handler that runs only for valid pages within the result window, and,
    /// given a gate, only while the caller and everyone together are under its limits.
    fileprivate mutating func register<Request: PagedRequest, Response>(
        _ method: RPCMethod<Request, Response>,
        paged depth: PageDepthLimit,
        expensive gate: ExpensiveCallGate? = nil,
        _ handler: @escaping @Sendable (Request, DatabaseCall) async throws -> Response
    ) {
        register(method) { request, context in
            try request.validate()
            try depth.check(request.page)
            guard let gate else { return try await handler(request, DatabaseCall(context)) }
            return try await gate.run(caller: context.costCaller) {
                try await handler(request, DatabaseCall(context))
            }
        }
    }
}
