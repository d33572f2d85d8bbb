public import ServiceKit

extension DatabaseSettings {
    /// Reads the connection settings from flags and the environment: `--database-url`
    /// (`DATABASE_URL`) with the libpq variables for what it leaves out, and the pool's
    /// `--db-pool-size`, `--db-connect-timeout`, `--db-idle-timeout` and `--db-statement-timeout`.
    /// Problems are recorded in `reader` and reported together by `ServiceMain`.
    ///
    /// - Parameter defaults: what neither flags nor the environment set, e.g. the app's
    ///   database name and its `applicationName`.
    public static func read(
        from reader: inout ConfigReader, environment: [String: String], defaults: DatabaseSettings
    ) -> DatabaseSettings {
        let urlSetting = Setting<String>.string(
            "database-url", env: DatabaseURL.variable, default: "", placeholder: "<url>",
            help: "postgres://user:password@host:port/database?sslmode=mode. Parts it leaves out come from "
                + "PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, else \(defaults.host):\(defaults.port), "
                + "user \(defaults.username), database \(defaults.database), sslmode \(defaults.sslMode.rawValue). "
                + "Prefer the environment for passwords: flags show in ps.")
        let url = reader.read(urlSetting)
        var libpqEnvironment = environment
        libpqEnvironment[DatabaseURL.variable] = url
        var database = defaults
        do {
            database = try resolve(environment: libpqEnvironment, defaults: defaults)
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
        database.statementTimeout = reader.read(
            .duration(
                "db-statement-timeout", env: "DB_STATEMENT_TIMEOUT", default: database.statementTimeout,
                help: "Longest any one SQL statement may run, whatever the call's deadline; 0 means no limit."))
        return database
    }
}
