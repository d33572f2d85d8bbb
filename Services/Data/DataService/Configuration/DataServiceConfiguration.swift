import Foundation
import MicropostsModels
import PostgresData
import RPC
import ServiceKit

/// Everything the data service reads from flags and the environment.
struct DataServiceConfiguration: Sendable {
    var rpcServer: RPCServerConfiguration
    var database: DatabaseSettings
    var migration = MigrationSettings()
    /// Time between database health checks (and migration retries while it is down).
    var healthCheckInterval: Duration
    var passwordHashIterations: Int
    /// Password hashes running at once, and waiting beyond those (more are refused).
    var passwordHashConcurrency: Int
    var passwordHashQueue: Int
    var loginThrottle: LoginThrottleSettings
    var tokenCleanupInterval: Duration
    /// Time between merges of the GIN indexes' pending lists (see ``GINPendingListCleanup``); zero: never.
    var ginCleanupInterval = DataServiceConfiguration.defaultGINCleanupInterval
    var batches: BatchSettings
    var costs: CostLimits
    /// Calls let through to the database at once (`--db-concurrency` and its siblings).
    var concurrency = DataServiceConfiguration.defaultConcurrency
    /// Answer from memory, with no PostgreSQL (see ``InMemoryMode``).
    var inMemory = false

    init(
        rpcServer: RPCServerConfiguration,
        database: DatabaseSettings,
        healthCheckInterval: Duration = .seconds(1),
        passwordHashIterations: Int = PasswordHasher.defaultIterations,
        passwordHashConcurrency: Int = HashingGate.defaultConcurrency,
        passwordHashQueue: Int = HashingGate.defaultQueueLimit,
        loginThrottle: LoginThrottleSettings = LoginThrottleSettings(),
        tokenCleanupInterval: Duration = .seconds(60),
        batches: BatchSettings = BatchSettings(),
        costs: CostLimits = CostLimits()
    ) {
        self.rpcServer = rpcServer
        self.database = database
        self.healthCheckInterval = healthCheckInterval
        self.passwordHashIterations = passwordHashIterations
        self.passwordHashConcurrency = passwordHashConcurrency
        self.passwordHashQueue = passwordHashQueue
        self.loginThrottle = loginThrottle
        self.tokenCleanupInterval = tokenCleanupInterval
        self.batches = batches
        self.costs = costs
    }

    static let defaultGINCleanupInterval = Duration.milliseconds(250)

    /// A backstop behind the edge's limit: its target is above the data service's usual latency
    /// under full load, so it refuses only when workers ask more than the edges let through.
    static let defaultConcurrency = ConcurrencyLimitSettings(targetLatency: .milliseconds(50))

    /// Reads the settings; problems are recorded in `reader` and reported together by ServiceMain.
    static func read(from reader: inout ConfigReader, environment: [String: String]) -> DataServiceConfiguration {
        let rpcSecret = RPCSettings.secret(from: &reader)
        let rpcServer = RPCSettings.server(from: &reader, defaultPort: DataService.defaultRPCPort, secret: rpcSecret)

        let database = readDatabase(from: &reader, environment: environment)
        let migration = MigrationSettings.read(from: &reader)

        let healthInterval = Setting<Duration>.duration(
            "db-health-interval", env: "DB_HEALTH_INTERVAL", default: .seconds(1),
            help: "Time between database health checks, which drive /readyz and fail calls fast while it is down.")
        let healthCheckInterval = reader.read(healthInterval)
        if healthCheckInterval <= .zero { reader.reject(healthInterval, because: "must be more than 0") }

        let iterations = reader.read(
            .int(
                "password-hash-iterations", env: "PASSWORD_HASH_ITERATIONS", default: PasswordHasher.defaultIterations,
                range: PasswordHasher.minimumIterations...100_000_000,
                help: "PBKDF2-HMAC-SHA256 iterations for new password hashes (OWASP recommends 600000); "
                    + "existing hashes keep their own count."))

        let hashConcurrency = reader.read(
            .int(
                "password-hash-concurrency", env: "PASSWORD_HASH_CONCURRENCY", default: HashingGate.defaultConcurrency, range: 1...1_024,
                help: "Password hashes (registrations, logins) computed at once; each takes a core for its duration."))
        let hashQueue = reader.read(
            .int(
                "password-hash-queue", env: "PASSWORD_HASH_QUEUE", default: HashingGate.defaultQueueLimit, range: 0...100_000,
                help: "Password hashes that may wait for a free slot; more are refused at once (the API answers 503 with Retry-After)."))

        let loginAttempts = reader.read(
            .int(
                "login-attempts-per-account", env: "LOGIN_ATTEMPTS_PER_ACCOUNT", default: LoginThrottleSettings.defaultMaximumAttempts,
                range: 0...1_000_000,
                help: "Login attempts an account may fail within --login-account-window before further ones are refused "
                    + "unchecked (429); counted in the database, across all workers and data instances; 0 turns it off."))
        let windowSetting = Setting<Duration>.duration(
            "login-account-window", env: "LOGIN_ACCOUNT_WINDOW", default: LoginThrottleSettings.defaultWindow,
            help: "The window failed logins per account are counted in, from its first attempt; a throttled account waits for its end.")
        let loginWindow = reader.read(windowSetting)
        if loginWindow < .seconds(1) || loginWindow > .seconds(7 * 86_400) {
            reader.reject(windowSetting, because: "must be between 1s and 7 days")
        }

        let cleanupInterval = Setting<Duration>.duration(
            "token-cleanup-interval", env: "TOKEN_CLEANUP_INTERVAL", default: .seconds(60),
            help: "Time between deletions of expired revoked-token rows and of ended login-attempt counts.")
        let tokenCleanupInterval = reader.read(cleanupInterval)
        if tokenCleanupInterval <= .zero { reader.reject(cleanupInterval, because: "must be more than 0") }

        let ginCleanupInterval = reader.read(
            .duration(
                "db-gin-cleanup-interval", env: "DB_GIN_CLEANUP_INTERVAL", default: defaultGINCleanupInterval,
                help: "Time between merges of the search indexes' pending entries, done here so that no insert pays for one "
                    + "(PostgreSQL would merge 4 MB at a time inside an insert), after this service's inserts only; "
                    + "0 leaves it to PostgreSQL."))

        let defaults = BatchSettings()
        var batches = BatchSettings(
            maximumBatchSize: reader.read(
                .int(
                    "db-batch-size", env: "DB_BATCH_SIZE", default: defaults.maximumBatchSize, range: 1...10_000,
                    help:
                        "Most requests one batched statement serves (reads of one micropost or user, collection pages, micropost inserts).")
            ),
            maximumConcurrentBatches: reader.read(
                .int(
                    "db-batches", env: "DB_BATCHES", default: defaults.maximumConcurrentBatches, range: 1...1_000,
                    help: "Batched statements of one kind that run at once; requests arriving meanwhile wait for the next batch."))
        )
        let slowBatch = reader.read(
            .duration(
                "db-batch-slow", env: "DB_BATCH_SLOW", default: defaults.slowBatchAge ?? .zero,
                help: "A batched statement running longer stops holding its slot: requests waiting behind it start another "
                    + "beside it (at most --db-batches more), so one stuck statement delays only its own requests; 0: never."))
        batches.slowBatchAge = slowBatch > .zero ? slowBatch : nil

        let costs = readCosts(from: &reader, poolSize: database.maximumConnections)

        var configuration = DataServiceConfiguration(
            rpcServer: rpcServer, database: database, healthCheckInterval: healthCheckInterval,
            passwordHashIterations: iterations, passwordHashConcurrency: hashConcurrency, passwordHashQueue: hashQueue,
            loginThrottle: LoginThrottleSettings(maximumAttempts: loginAttempts, window: loginWindow),
            tokenCleanupInterval: tokenCleanupInterval, batches: batches,
            costs: costs)
        configuration.migration = migration
        configuration.ginCleanupInterval = ginCleanupInterval
        configuration.concurrency = ConcurrencyLimitSettings.read(
            prefix: "db", envPrefix: "DB", what: "calls to the database", defaults: defaultConcurrency, from: &reader)
        configuration.inMemory = reader.read(
            .bool(
                InMemoryMode.settingName, env: "IN_MEMORY", default: false,
                help: "Keep the data in this process's memory instead of PostgreSQL, for developing a worker alone: "
                    + "no database, no migrations, nothing persisted. The database settings are then unused."))
        return configuration
    }

    /// What one request and one user may cost the database (see ``CostLimits``).
    static func readCosts(from reader: inout ConfigReader, poolSize: Int) -> CostLimits {
        let window = reader.read(
            .int(
                "max-result-window", env: "MAX_RESULT_WINDOW", default: CostLimits.defaultMaximumResultWindow,
                // At least one full page of the largest size, so page 1 always works.
                range: DataLimits.pageSize.upperBound...100_000_000,
                help: "Deepest item a list page may reach (page × size); deeper pages are refused with invalidArgument "
                    + "(400), since OFFSET reads every row it skips."))
        let perCaller = reader.read(
            .int(
                "expensive-calls-per-user", env: "EXPENSIVE_CALLS_PER_USER", default: CostLimits.defaultExpensiveCallsPerCaller,
                range: 1...10_000,
                help: "Searches and timelines one user may have running at once in this process; more are refused "
                    + "with resourceExhausted (429)."))
        let totalSetting = Setting<Int>.int(
            "db-expensive-statements", env: "DB_EXPENSIVE_STATEMENTS",
            default: CostLimits.defaultExpensiveStatements(poolSize: poolSize), range: 1...10_000,
            help: "Searches and timelines all users together may have running at once (default: pool size - 2, "
                + "at least 1), so point reads always find a connection; more are refused with unavailable (503).")
        let total = reader.read(totalSetting)
        if total > poolSize { reader.reject(totalSetting, because: "must not exceed --db-pool-size (\(poolSize))") }
        return CostLimits(maximumResultWindow: window, expensiveCallsPerCaller: perCaller, expensiveStatements: total)
    }

    /// The PostgreSQL settings alone, as `data migrate` reads them.
    static func readDatabase(from reader: inout ConfigReader, environment: [String: String]) -> DatabaseSettings {
        DatabaseSettings.read(from: &reader, environment: environment, defaults: .micropostsDefaults)
    }
}
