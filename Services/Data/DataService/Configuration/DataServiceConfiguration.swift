import Foundation
import RPC
import MicropostsModels
import ServiceKit

/// Everything the data service reads from flags and the environment.
struct DataServiceConfiguration: Sendable {
    var rpcServer: RPCServerConfiguration
    var database: DatabaseSettings
    /// Time between database health checks (and migration retries while it is down).
    var healthCheckInterval: Duration
    var passwordHashIterations: Int
    var tokenCleanupInterval: Duration
    var batches: BatchSettings
    var costs: CostLimits

    init(
        rpcServer: RPCServerConfiguration,
        database: DatabaseSettings,
        healthCheckInterval: Duration = .seconds(1),
        passwordHashIterations: Int = PasswordHasher.defaultIterations,
        tokenCleanupInterval: Duration = .seconds(60),
        batches: BatchSettings = BatchSettings(),
        costs: CostLimits = CostLimits()
    ) {
        self.rpcServer = rpcServer
        self.database = database
        self.healthCheckInterval = healthCheckInterval
        self.passwordHashIterations = passwordHashIterations
        self.tokenCleanupInterval = tokenCleanupInterval
        self.batches = batches
        self.costs = costs
    }

    /// Reads the settings; problems are recorded in `reader` and reported together by ServiceMain.
    static func read(from reader: inout ConfigReader, environment: [String: String]) -> DataServiceConfiguration {
        let rpcServer = RPCSettings.server(from: &reader, defaultPort: DataService.defaultRPCPort)

        let database = readDatabase(from: &reader, environment: environment)

        let healthInterval = Setting<Duration>.duration(
            "db-health-interval", env: "DB_HEALTH_INTERVAL", default: .seconds(1),
            help: "Time between database health checks, which drive /readyz and fail calls fast while it is down.")
        let healthCheckInterval = reader.read(healthInterval)
        if healthCheckInterval <= .zero { reader.reject(healthInterval, because: "must be more than 0") }

        let iterations = reader.read(.int(
            "password-hash-iterations", env: "PASSWORD_HASH_ITERATIONS", default: PasswordHasher.defaultIterations,
            range: PasswordHasher.minimumIterations...100_000_000,
            help: "PBKDF2-HMAC-SHA256 iterations for new password hashes (OWASP recommends 600000); "
                + "existing hashes keep their own count."))

        let cleanupInterval = Setting<Duration>.duration(
            "token-cleanup-interval", env: "TOKEN_CLEANUP_INTERVAL", default: .seconds(60),
            help: "Time between deletions of expired revoked-token rows.")
        let tokenCleanupInterval = reader.read(cleanupInterval)
        if tokenCleanupInterval <= .zero { reader.reject(cleanupInterval, because: "must be more than 0") }

        let defaults = BatchSettings()
        let batches = BatchSettings(
            maximumBatchSize: reader.read(.int(
                "db-batch-size", env: "DB_BATCH_SIZE", default: defaults.maximumBatchSize, range: 1...10_000,
                help: "Most requests one batched statement serves (reads of one micropost or user, collection pages, micropost inserts).")),
            maximumConcurrentBatches: reader.read(.int(
                "db-batches", env: "DB_BATCHES", default: defaults.maximumConcurrentBatches, range: 1...1_000,
                help: "Batched statements of one kind that run at once; requests arriving meanwhile wait for the next batch.")))

        let costs = readCosts(from: &reader, poolSize: database.maximumConnections)

        return DataServiceConfiguration(
            rpcServer: rpcServer, database: database, healthCheckInterval: healthCheckInterval,
            passwordHashIterations: iterations, tokenCleanupInterval: tokenCleanupInterval, batches: batches,
            costs: costs)
    }

    /// What one request and one user may cost the database (see ``CostLimits``).
    static func readCosts(from reader: inout ConfigReader, poolSize: Int) -> CostLimits {
        let window = reader.read(.int(
            "max-result-window", env: "MAX_RESULT_WINDOW", default: CostLimits.defaultMaximumResultWindow,
            // At least one full page of the largest size, so page 1 always works.
            range: DataLimits.pageSize.upperBound...100_000_000,
            help: "Deepest item a list page may reach (page × size); deeper pages are refused with invalidArgument "
                + "(400), since OFFSET reads every row it skips."))
        let perCaller = reader.read(.int(
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

    /// The PostgreSQL settings alone, shared with `data migrate`.
    static func readDatabase(from reader: inout ConfigReader, environment: [String: String]) -> DatabaseSettings {
        let urlSetting = Setting<String>.string(
            "database-url", env: "DATABASE_URL", default: "", placeholder: "<url>",
            help: "postgres://user:password@host:port/database?sslmode=mode. Parts it leaves out come from "
                + "PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, else localhost:5432, user postgres, "
                + "database microposts, sslmode prefer. Prefer the environment for passwords: flags show in ps.")
        let url = reader.read(urlSetting)
        var libpqEnvironment = environment
        libpqEnvironment["DATABASE_URL"] = url
        var database = DatabaseSettings()
        do {
            database = try DatabaseSettings.resolve(environment: libpqEnvironment)
        } catch {
            reader.reject(urlSetting, because: "\(error)")
        }

        let poolSize = Setting<Int>.int(
            "db-pool-size", env: "DB_POOL_SIZE", default: database.maximumConnections, range: 1...10_000,
            help: "Most PostgreSQL connections the service opens.")
        database.maximumConnections = reader.read(poolSize)
        let connectTimeout = Setting<Duration>.duration(
            "db-connect-timeout", env: "DB_CONNECT_TIMEOUT", default: database.connectTimeout,
            help: "How long connecting to PostgreSQL, or waiting for a pooled connection, may take; "
                + "calls fail with unavailable after it.")
        database.connectTimeout = reader.read(connectTimeout)
        if database.connectTimeout <= .zero { reader.reject(connectTimeout, because: "must be more than 0") }
        let idleTimeout = Setting<Duration>.duration(
            "db-idle-timeout", env: "DB_IDLE_TIMEOUT", default: database.idleTimeout,
            help: "An unused pooled PostgreSQL connection is closed after this long.")
        database.idleTimeout = reader.read(idleTimeout)
        if database.idleTimeout <= .zero { reader.reject(idleTimeout, because: "must be more than 0") }
        database.statementTimeout = reader.read(.duration(
            "db-statement-timeout", env: "DB_STATEMENT_TIMEOUT", default: database.statementTimeout,
            help: "Longest any one SQL statement may run, whatever the call's deadline; 0 means no limit."))
        return database
    }
}
