import Logging
import MicropostsModels
import PostgresData
import PostgresNIO
import PostgresTestSupport
import RPC
import ServiceKit
import ServiceLifecycle
import XCTest

@testable import DataService

let quietLogger = Logger(label: "data-test") { _ in SwiftLogNoOpLogHandler() }

/// A data service running in this process — the real components, router and RPC server on
/// 127.0.0.1:0 — against a fresh database, with an `RPCClient` connected to it.
final class DataServiceHarness: Sendable {
    let cluster: PostgresTestCluster
    let databaseName: String
    let readiness: Readiness
    let components: DataServiceComponents
    let client: RPCClient
    private let group: ServiceGroup
    private let serviceTask: Task<Void, any Error>
    private let clientTask: Task<Void, any Error>

    /// PBKDF2 at the production count would make every registration slow; the count is
    /// stored in each hash, so what is tested does not depend on it.
    static let testIterations = 1_000

    private init(
        cluster: PostgresTestCluster, databaseName: String, readiness: Readiness, components: DataServiceComponents,
        client: RPCClient, group: ServiceGroup, serviceTask: Task<Void, any Error>, clientTask: Task<Void, any Error>
    ) {
        self.cluster = cluster
        self.databaseName = databaseName
        self.readiness = readiness
        self.components = components
        self.client = client
        self.group = group
        self.serviceTask = serviceTask
        self.clientTask = clientTask
    }

    /// Starts the service on a new database of `cluster` (the shared one by default) and
    /// waits until it is ready.
    static func start(
        cluster: PostgresTestCluster? = nil,
        database: String? = nil,
        waitForReadiness: Bool = true,
        configure: (inout DataServiceConfiguration) -> Void = { _ in }
    ) async throws -> DataServiceHarness {
        let cluster = if let cluster { cluster } else { try await PostgresTestCluster.shared() }
        let databaseName = if let database { database } else { try await cluster.createDatabase() }
        var configuration = DataServiceConfiguration(
            rpcServer: RPCServerConfiguration(bindTarget: .tcp(host: "127.0.0.1", port: 0)),
            database: DatabaseSettings(
                host: cluster.host, port: cluster.port, username: cluster.username, password: cluster.password,
                database: databaseName, sslMode: .disable, applicationName: "microposts-data-tests"),
            healthCheckInterval: .milliseconds(200),
            passwordHashIterations: testIterations)
        configure(&configuration)

        let readiness = Readiness()
        let environment = ServiceEnvironment(
            name: "data", logger: quietLogger, readiness: readiness, settings: CommonSettings(adminPort: 1))
        let components = DataServiceComponents(
            configuration: configuration, environment: environment, migrations: try MigrationRunner.bundled())
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: components.services, logger: quietLogger))
        let serviceTask = Task { try await group.run() }
        readiness.markStarted()
        let address = try await components.rpcServer.localAddress()

        var clientConfiguration = RPCClientConfiguration()
        clientConfiguration.reconnectBackoffCap = .milliseconds(200)
        let client = RPCClient(
            target: try RPCTarget(parsing: "127.0.0.1:\(address.port ?? 0)"), configuration: clientConfiguration, logger: quietLogger)
        let clientTask = Task { try await client.run() }

        let harness = DataServiceHarness(
            cluster: cluster, databaseName: databaseName, readiness: readiness, components: components,
            client: client, group: group, serviceTask: serviceTask, clientTask: clientTask)
        if waitForReadiness { try await harness.waitUntil(ready: true) }
        return harness
    }

    /// Stops the client's upkeep, then drains the service. The client's task is not awaited:
    /// its connections end when the draining server closes them.
    func stop() async {
        clientTask.cancel()
        await group.triggerGracefulShutdown()
        _ = try? await serviceTask.value
    }

    func waitUntil(ready: Bool, timeout: Duration = .seconds(20)) async throws {
        let until = ContinuousClock.now + timeout
        while readiness.isReady != ready {
            guard ContinuousClock.now < until else {
                throw TimeLimitExceeded(limit: timeout)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func call<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request, timeout: Duration = .seconds(10)
    ) async throws -> Response {
        try await client.call(method, request, options: RPCCallOptions(timeout: timeout))
    }

    /// Registers users (with the password `password123`) and returns their names.
    @discardableResult
    func register(_ usernames: String...) async throws -> [String] {
        for username in usernames {
            _ = try await call(.registerUser, RegisterUserRequest(username: username, password: "password123"))
        }
        return usernames
    }

    func post(_ username: String, _ text: String, referenced: String? = nil) async throws -> Micropost {
        try await call(.createMicropost, CreateMicropostRequest(username: username, text: text, referenced: referenced))
    }

    /// Runs `body` with a connection of the superuser-free test role to this harness's database.
    func withDirectClient<Result>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
        try await cluster.withClient(database: databaseName, body)
    }
}

/// Starts a harness, runs `body`, and stops the harness whatever happened.
func withDataService(
    cluster: PostgresTestCluster? = nil,
    configure: (inout DataServiceConfiguration) -> Void = { _ in },
    _ body: (DataServiceHarness) async throws -> Void
) async throws {
    let harness = try await DataServiceHarness.start(cluster: cluster, configure: configure)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}

func assertRPCError<T>(
    _ code: RPCStatusCode, messageContains fragment: String? = nil,
    file: StaticString = #filePath, line: UInt = #line,
    _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        XCTFail("expected \(code), but the call succeeded", file: file, line: line)
    } catch let error as RPCError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        if let fragment {
            XCTAssertTrue(error.message.contains(fragment), "message '\(error.message)' lacks '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected RPCError \(code), got \(error)", file: file, line: line)
    }
}

/// `XCTAssertEqual` for values computed with `await` (XCTest's autoclosures cannot await).
func assertEqual<T: Equatable>(_ actual: T, _ expected: T, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual, expected, file: file, line: line)
}
