import Foundation
public import PostgresNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A throwaway PostgreSQL server in a temporary folder, tuned for speed over durability.
///
/// Most tests should use ``shared()`` and a fresh database from ``createDatabase()``. Tests that stop
/// or restart the server need their own cluster from ``start()`` and must ``stop()`` it when done.
///
/// Roles: ``username`` authenticates with a password (SCRAM), so wrong-password tests are possible;
/// ``superuser`` is trusted without one and is used for administration.
public final class PostgresTestCluster: Sendable {
    public static let superuser = "postgres"

    public let host = "127.0.0.1"
    public let port: Int
    public let username = "microposts"
    public let password: String
    public let database = "microposts"

    let root: URL
    let binaries: PostgresBinaries
    /// The account that owns and runs the server when this process is root (initdb refuses root).
    let serverUser: String?

    var dataDirectory: URL { root.appending(path: "data") }
    var logFile: URL { root.appending(path: "postgres.log") }

    private init(root: URL, binaries: PostgresBinaries, serverUser: String?, port: Int, password: String) {
        self.root = root
        self.binaries = binaries
        self.serverUser = serverUser
        self.port = port
        self.password = password
    }

    // MARK: Starting

    /// Creates and starts a new cluster, with the password role and its database ready.
    public static func start() async throws -> PostgresTestCluster {
        let cluster = try await offloaded { try startBlocking() }
        return try await cluster.bootstrapped()
    }

    private static func startBlocking() throws -> PostgresTestCluster {
        let binaries = try PostgresBinaries.locate()
        let serverUser = try serverAccount()
        let root = try makeRootFolder(owner: serverUser)
        var attempt: PostgresTestCluster?
        do {
            try Subprocess.run(
                binaries.initdb,
                [
                    "-D", root.appending(path: "data").path, "-U", superuser, "--auth=trust",
                    "-E", "UTF8", "--no-locale", "--no-sync",
                ],
                asUser: serverUser, timeout: .seconds(120)
            )
            try writeConfiguration(dataDirectory: root.appending(path: "data"), socketDirectory: root)
            let password = randomHex(bytes: 16)

            // Another process may grab the port between our probe and the server's bind.
            for _ in 1...3 {
                let cluster = PostgresTestCluster(
                    root: root, binaries: binaries, serverUser: serverUser,
                    port: try freeLoopbackPort(), password: password
                )
                attempt = cluster
                do {
                    try cluster.startServerBlocking()
                    LiveClusters.register(cluster)
                    return cluster
                } catch  where cluster.serverLog().contains("Address already in use") {
                    continue
                }
            }
            throw PostgresTestClusterError.setupFailed(step: "starting the server", detail: "no free port after 3 tries")
        } catch {
            // pg_ctl may have started the server before failing (e.g. timing out); don't orphan it.
            try? attempt?.shutdownBlocking()
            try? FileManager.default.removeItem(at: root)
            throw error
        }
    }

    private func bootstrapped() async throws -> PostgresTestCluster {
        do {
            // Both values are generated here, never outside input, so spelling them into SQL is safe.
            try await withSuperuserConnection { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE ROLE \(username) LOGIN CREATEDB PASSWORD '\(password)'"),
                    logger: Self.logger
                )
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE DATABASE \(database) OWNER \(username)"), logger: Self.logger
                )
            }
            return self
        } catch {
            try? await stop()
            throw PostgresTestClusterError.setupFailed(step: "creating the test role", detail: String(reflecting: error))
        }
    }

    // MARK: Connecting

    /// A client configuration for the password role (plain TCP, no TLS).
    public func configuration(database: String? = nil) -> PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: host, port: port, username: username, password: password,
            database: database ?? self.database, tls: .disable
        )
    }

    /// Creates an empty database owned by ``username``, named `test_<random>`, and returns its name.
    public func createDatabase() async throws -> String {
        let name = "test_\(Self.randomHex(bytes: 8))"
        try await withSuperuserConnection { connection in
            _ = try await connection.query(
                PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) OWNER \(username)"), logger: Self.logger
            )
        }
        return name
    }

    /// Runs `body` with a running pool connected to `database` (default: ``database``), closing it afterwards.
    @discardableResult
    public func withClient<Result>(
        database: String? = nil,
        _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration(database: database))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    func withSuperuserConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let configuration = PostgresConnection.Configuration(
            host: host, port: port, username: Self.superuser, password: nil, database: "postgres", tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: Self.logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    // MARK: Stopping and restarting

    /// Stops the server (fast shutdown) but keeps its data, so ``startServer()`` can bring it back on the same port.
    public func stopServer() async throws {
        try await offloaded { try self.stopServerBlocking() }
    }

    /// Starts a server stopped by ``stopServer()``, on the same port.
    public func startServer() async throws {
        try await offloaded { try self.startServerBlocking() }
    }

    public func restart() async throws {
        try await stopServer()
        try await startServer()
    }

    /// Stops the server and deletes its folder. The cluster cannot be used afterwards.
    public func stop() async throws {
        try await offloaded { try self.shutdownBlocking() }
    }

    func startServerBlocking() throws {
        try pgCtl(["start", "-w", "-t", "30", "-D", dataDirectory.path, "-l", logFile.path, "-o", "-p \(port)"])
    }

    func stopServerBlocking() throws {
        try pgCtl(["stop", "-w", "-t", "30", "-D", dataDirectory.path, "-m", "fast"])
    }

    func shutdownBlocking() throws {
        LiveClusters.unregister(self)
        defer { try? FileManager.default.removeItem(at: root) }
        if isServerRunning {
            try stopServerBlocking()
        }
    }

    /// The server removes its pid file on a clean stop, so its presence means it is (or may be) running.
    private var isServerRunning: Bool {
        FileManager.default.fileExists(atPath: dataDirectory.appending(path: "postmaster.pid").path)
    }

    private func pgCtl(_ arguments: [String]) throws {
        do {
            try Subprocess.run(binaries.pgCtl, arguments, asUser: serverUser, timeout: .seconds(45))
        } catch {
            let log = serverLog().split(separator: "\n").suffix(20).joined(separator: "\n")
            throw PostgresTestClusterError.setupFailed(step: "pg_ctl \(arguments[0])", detail: "\(error)\nserver log:\n\(log)")
        }
    }

    func serverLog() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    // MARK: Setup helpers

    static let logger = Logger(label: "postgres-test-cluster")

    private static func serverAccount() throws -> String? {
        guard geteuid() == 0 else { return nil }
        guard getpwnam("postgres") != nil else { throw PostgresTestClusterError.noPostgresUser }
        return "postgres"
    }

    private static func makeRootFolder(owner: String?) throws -> URL {
        // Short names keep the Unix socket path under the kernel's ~100-byte limit.
        let root = FileManager.default.temporaryDirectory.appending(path: "pgtest-\(randomHex(bytes: 6))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if let owner, let account = getpwnam(owner) {
            guard chown(root.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                try? FileManager.default.removeItem(at: root)
                throw PostgresTestClusterError.setupFailed(step: "chown \(root.path) to \(owner)", detail: "errno \(errno)")
            }
        }
        return root
    }

    private static func writeConfiguration(dataDirectory: URL, socketDirectory: URL) throws {
        let settings = """

            # Throwaway test cluster: durability traded for speed.
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(socketDirectory.path.replacingOccurrences(of: "'", with: "''"))'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 200

            """
        // Append and overwrite in place so the files keep the server account as owner.
        let conf = try FileHandle(forWritingTo: dataDirectory.appending(path: "postgresql.conf"))
        try conf.seekToEnd()
        try conf.write(contentsOf: Data(settings.utf8))
        try conf.close()

        let hba = """
            local all all               trust
            host  all \(superuser) 127.0.0.1/32 trust
            host  all all      127.0.0.1/32 scram-sha-256

            """
        try hba.write(to: dataDirectory.appending(path: "pg_hba.conf"), atomically: false, encoding: .utf8)
    }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// Runs blocking subprocess work off the cooperative thread pool.
private func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
