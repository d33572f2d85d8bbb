import Foundation
public import PostgresNIO
import ServiceKit

/// Where and how a service connects to PostgreSQL.
///
/// Built by ``resolve(environment:overrides:defaults:)``, field by field: explicit overrides
/// (flags), then `DATABASE_URL`, then the libpq variables (`PGHOST`, `PGPORT`, `PGUSER`,
/// `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`), then the app's defaults.
public struct DatabaseSettings: Sendable, Equatable {
    /// A host name or address; a value starting with `/` is a folder holding the server's Unix socket, as in libpq.
    public var host: String
    /// The server's TCP port, or the number in its Unix socket's name.
    public var port: Int
    /// The role to log in as.
    public var username: String
    /// The role's password; nil for none (trust or peer authentication).
    public var password: String?
    /// The database to connect to.
    public var database: String
    /// Whether and how to use TLS, as libpq's `sslmode`.
    public var sslMode: SSLMode

    /// The most connections the pool opens.
    public var maximumConnections: Int
    /// How long opening one connection may take before the attempt fails.
    public var connectTimeout: Duration
    /// The server cancels any statement running longer; zero disables the limit.
    public var statementTimeout: Duration
    /// An unused pooled connection is closed after this long.
    public var idleTimeout: Duration
    /// Shown in `pg_stat_activity`, so operators can tell which connections are whose: name the service.
    public var applicationName: String

    /// Settings with libpq's defaults for the connection target, except `database`, which the
    /// app names, as it names its `applicationName`.
    public init(
        host: String = "localhost",
        port: Int = 5432,
        username: String = "postgres",
        password: String? = nil,
        database: String,
        sslMode: SSLMode = .prefer,
        maximumConnections: Int = 8,
        connectTimeout: Duration = .seconds(2),
        statementTimeout: Duration = .seconds(5),
        idleTimeout: Duration = .seconds(10),
        applicationName: String
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
        self.idleTimeout = idleTimeout
        self.applicationName = applicationName
    }

    /// Values given explicitly, e.g. on the command line; each one wins over the environment.
    public struct Overrides: Sendable, Equatable {
        /// Wins over `DATABASE_URL`'s host and `PGHOST`.
        public var host: String?
        /// Wins over `DATABASE_URL`'s port and `PGPORT`.
        public var port: Int?
        /// Wins over `DATABASE_URL`'s user and `PGUSER`.
        public var username: String?
        /// Wins over `DATABASE_URL`'s password and `PGPASSWORD`.
        public var password: String?
        /// Wins over `DATABASE_URL`'s database and `PGDATABASE`.
        public var database: String?
        /// Wins over `DATABASE_URL`'s `sslmode` and `PGSSLMODE`.
        public var sslMode: SSLMode?

        /// Overrides for the fields given; nil ones come from the environment.
        public init(
            host: String? = nil, port: Int? = nil, username: String? = nil,
            password: String? = nil, database: String? = nil, sslMode: SSLMode? = nil
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.sslMode = sslMode
        }
    }

    /// Resolves the connection target from `environment` (pass `ProcessInfo.processInfo.environment`);
    /// what neither `overrides` nor the environment sets comes from `defaults`, and so do the
    /// pool, timeout and application name fields. Empty variables count as unset, as in libpq.
    /// - Throws: ``DatabaseSettingsError`` naming the variable at fault.
    public static func resolve(
        environment: [String: String], overrides: Overrides = Overrides(), defaults: DatabaseSettings
    ) throws -> DatabaseSettings {
        let env = environment.filter { !$0.value.isEmpty }
        let url = try env[DatabaseURL.variable].map(DatabaseURL.init(parsing:))

        let host = overrides.host ?? url?.host ?? env["PGHOST"] ?? defaults.host
        if host.contains(",") {
            throw DatabaseSettingsError(
                source: url?.host != nil ? DatabaseURL.variable : "PGHOST", problem: "several hosts are not supported")
        }
        let password = overrides.password ?? url?.password ?? env["PGPASSWORD"]
        if let password, ExampleSecret.isExample(password) {
            let source = overrides.password != nil ? "the password option" : url?.password != nil ? DatabaseURL.variable : "PGPASSWORD"
            throw DatabaseSettingsError(
                source: source, problem: "the password is an example value from the documentation; set one of your own")
        }
        var settings = defaults
        settings.host = host
        settings.port = try overrides.port ?? url?.port ?? env["PGPORT"].map { try parsePort($0, source: "PGPORT") } ?? defaults.port
        settings.username = overrides.username ?? url?.username ?? env["PGUSER"] ?? defaults.username
        settings.password = password ?? defaults.password
        settings.database = overrides.database ?? url?.database ?? env["PGDATABASE"] ?? defaults.database
        settings.sslMode =
            try overrides.sslMode ?? url?.sslMode
            ?? env["PGSSLMODE"].map { try SSLMode(parsing: $0, source: "PGSSLMODE") } ?? defaults.sslMode
        return settings
    }

    private static func parsePort(_ text: String, source: String) throws -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw DatabaseSettingsError(source: source, problem: "'\(text)' is not a port number (1–65535)")
        }
        return port
    }

    /// The pool configuration for these settings.
    public func clientConfiguration() -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if host.hasPrefix("/") {
            let socket = URL(filePath: host, directoryHint: .isDirectory).appending(path: ".s.PGSQL.\(port)").path
            configuration = .init(unixSocketPath: socket, username: username, password: password, database: database)
        } else {
            configuration = .init(
                host: host, port: port, username: username, password: password, database: database, tls: sslMode.tls
            )
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = connectTimeout
        // PostgresNIO 1.33 starts timer tasks (keep-alive, 30 s; idle timeout, 60 s by default)
        // every time a connection goes back to the pool and leaves them sleeping when the
        // connection is leased again: under load tens of thousands (~300 bytes each) were
        // alive at once, and the service's memory grew by tens of MiB. So no keep-alive
        // (``DatabaseMonitor``'s health checks notice a dead database)
        // and a short idle timeout, which bounds how long each timer lives. (A fixed pool,
        // minimumConnections = maximum, would need no idle timer, but 1.33's pool then trips
        // a precondition when a lease arrives while it reconnects after an outage.)
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectionIdleTimeout = idleTimeout
        // PostgreSQL takes any setting as a startup parameter, so every pooled connection starts with
        // the limit in place; nothing has to remember to SET it after connecting.
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "\(statementTimeout.roundedUpMilliseconds)"),
            ("application_name", applicationName),
        ]
        return configuration
    }
}

extension DatabaseSettings: CustomStringConvertible {
    /// A loggable summary; the password is never included.
    public var description: String {
        let credentials = password == nil ? username : "\(username):***"
        return "postgres://\(credentials)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }
}

extension Duration {
    /// Whole milliseconds, rounding a positive sub-millisecond remainder up so a tiny limit never becomes "none".
    package var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (whole, remainder) = attoseconds.quotientAndRemainder(dividingBy: perMillisecond)
        return seconds * 1000 + whole + (remainder > 0 ? 1 : 0)
    }
}
