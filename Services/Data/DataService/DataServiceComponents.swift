import Logging
import MicropostsModels
import PostgresData
import PostgresNIO
import RPC
import ServiceKit
import ServiceLifecycle

/// The data service's parts, wired together; the executable and the tests build the same ones.
struct DataServiceComponents {
    let postgres: PostgresClient
    let database: Database
    let monitor: DatabaseMonitor
    let cleanup: ExpiredRowCleanup
    let ginCleanup: GINPendingListCleanup
    let users: UserRepository
    let micropostReads: StatementBatcher<Int64, Micropost>
    let userReads: StatementBatcher<String, String>
    let micropostInserts: StatementBatcher<PendingInsert, InsertOutcome>
    let collectionPages: StatementBatcher<CollectionPageKey, MicropostColumnArrays>
    let expensiveCalls: ExpensiveCallGate
    /// Calls let through to the database at once; nil with `--db-concurrency off`.
    let concurrencyLimiter: ConcurrencyLimiter?
    let rpcServer: RPCServer

    /// In dependency order: ServiceGroup stops them in reverse, so the RPC server drains
    /// first, then the point readers finish their batches, and the PostgreSQL pool closes
    /// last, after every query has finished.
    var services: [any Service] {
        [postgres, monitor, cleanup, ginCleanup, micropostReads, userReads, micropostInserts, collectionPages]
            + (concurrencyLimiter.map { [$0] } ?? []) + [rpcServer]
    }

    /// The schema's GIN indexes (the trigram search indexes of 0001_initial.sql), whose pending
    /// lists ``GINPendingListCleanup`` merges off the request path.
    static let ginIndexes = ["microposts_text_trgm_idx", "users_username_trgm_idx"]

    init(configuration: DataServiceConfiguration, environment: ServiceEnvironment, migrations: MigrationRunner) {
        environment.readiness.set(DatabaseMonitor.readinessCondition, ready: false)
        var postgresLogger = environment.logger
        postgresLogger[metadataKey: "component"] = "postgres"
        postgres = PostgresClient(configuration: configuration.database.clientConfiguration(), backgroundLogger: postgresLogger)
        database = Database(
            client: postgres, availability: DatabaseAvailability(),
            statementTimeout: configuration.database.statementTimeout,
            leaseTimeout: configuration.database.connectTimeout, errorMapping: .microposts)
        monitor = DatabaseMonitor(
            database: database, migrations: migrations, readiness: environment.readiness,
            interval: configuration.healthCheckInterval,
            probeTimeout: configuration.database.connectTimeout, logger: environment.logger)

        // Only this service writes the indexed tables: an idle one need not ask PostgreSQL to merge empty lists.
        let ginCleanup = GINPendingListCleanup(
            indexes: Self.ginIndexes, interval: configuration.ginCleanupInterval, database: database, logger: environment.logger,
            afterWritesOnly: true)
        self.ginCleanup = ginCleanup

        let (database, batchLogger) = (database, postgresLogger)
        let batches = configuration.batches
        micropostReads = StatementBatcher(
            name: "micropost_reads", maximumBatchSize: batches.maximumBatchSize, maximumConcurrentBatches: batches.maximumConcurrentBatches,
            slowBatchAge: batches.slowBatchAge,
            logger: environment.logger
        ) { ids, deadline throws(RPCError) in
            try await MicropostRepository.fetch(ids: ids, deadline: deadline, database: database, logger: batchLogger)
        }
        userReads = StatementBatcher(
            name: "user_reads", maximumBatchSize: batches.maximumBatchSize, maximumConcurrentBatches: batches.maximumConcurrentBatches,
            slowBatchAge: batches.slowBatchAge,
            logger: environment.logger
        ) { usernames, deadline throws(RPCError) in
            try await UserRepository.fetch(usernames: usernames, deadline: deadline, database: database, logger: batchLogger)
        }

        micropostInserts = StatementBatcher(
            name: "micropost_inserts", maximumBatchSize: batches.maximumBatchSize,
            maximumConcurrentBatches: batches.maximumConcurrentBatches,
            slowBatchAge: batches.slowBatchAge,
            logger: environment.logger
        ) { batch, deadline throws(RPCError) in
            let outcomes = try await MicropostInserts.run(batch, deadline: deadline, database: database, logger: batchLogger)
            ginCleanup.noteWrites()
            return outcomes
        }

        collectionPages = StatementBatcher(
            name: "collection_pages", maximumBatchSize: batches.maximumBatchSize,
            maximumConcurrentBatches: batches.maximumConcurrentBatches,
            slowBatchAge: batches.slowBatchAge,
            logger: environment.logger
        ) { pages, deadline throws(RPCError) in
            try await MicropostListRepository.fetch(pages: pages, deadline: deadline, database: database, logger: batchLogger)
        }

        let hasher = PasswordHasher(
            iterations: configuration.passwordHashIterations,
            gate: HashingGate(concurrency: configuration.passwordHashConcurrency, queueLimit: configuration.passwordHashQueue))
        expensiveCalls = ExpensiveCallGate(
            perCaller: configuration.costs.expensiveCallsPerCaller,
            total: configuration.costs.expensiveStatements(poolSize: configuration.database.maximumConnections))
        let handlers = DataHandlers(
            database: database, hasher: hasher, loginThrottle: configuration.loginThrottle,
            micropostReads: micropostReads, userReads: userReads, micropostInserts: micropostInserts,
            collectionPages: collectionPages,
            pageDepth: PageDepthLimit(maximumResultWindow: configuration.costs.maximumResultWindow),
            expensiveCalls: expensiveCalls, usersWritten: { ginCleanup.noteWrites() })
        users = handlers.users
        cleanup = ExpiredRowCleanup(
            tokens: handlers.tokens, loginAttempts: handlers.users.attempts,
            interval: configuration.tokenCleanupInterval, logger: environment.logger)
        var router = RPCRouter()
        handlers.register(on: &router)
        concurrencyLimiter = configuration.concurrency.configuration.map {
            ConcurrencyLimiter(configuration: $0, metricPrefix: "data_db")
        }
        rpcServer = environment.makeRPCServer(
            configuration: configuration.rpcServer, router: router,
            interceptors: concurrencyLimiter.map { [ConcurrencyLimitInterceptor(limiter: $0)] } ?? [])
        environment.logger.info("database", metadata: ["target": "\(configuration.database)"])
    }
}
