import Foundation
import Logging
import NIOCore
import RPC
import ServiceLifecycle

@testable import EdgeService

/// The edge's HTTP server running in this process on a free loopback port, with its RPC
/// client to the given workers, over a temporary static folder.
final class EdgeHarness: Sendable {
    let server: HTTPServer
    /// The certificate and key when the configuration names them.
    let tls: TLSContextStore?
    let client: RPCClient
    let maintenance: MaintenanceSwitch?
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let port: Int
    let root: URL

    /// - Parameters:
    ///   - workers: An RPC target; by default a port nobody listens on.
    ///   - files: Files to create in the static folder, path → content.
    /// The edge in front of one fake worker, in process when the worker is.
    static func start(
        worker: FakeWorker,
        upstreamTimeout: Duration = .seconds(5),
        configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) async throws -> EdgeHarness {
        try await start(workers: worker.target, transport: worker.transport?.client, upstreamTimeout: upstreamTimeout, configure: configure)
    }

    static func start(
        workers: String = "127.0.0.1:1",
        transport: (any RPCClientTransport)? = nil,
        upstreamTimeout: Duration = .seconds(5),
        files: [String: String] = ["index.html": "<h1>home</h1>\n"],
        configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) async throws -> EdgeHarness {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("edge-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        var configuration = HTTPServerConfiguration()
        configuration.listen = .init(host: "127.0.0.1", port: 0)
        configuration.staticRoot = root.path
        configuration.accessLog = false
        configure(&configuration)

        var clientConfiguration = RPCClientConfiguration()
        clientConfiguration.reconnectBackoffCap = .milliseconds(200)
        clientConfiguration.connectTimeout = .milliseconds(500)
        let client =
            if let transport {
                RPCClient(transport: transport, configuration: clientConfiguration, logger: quietLogger)
            } else {
                RPCClient(target: try RPCTarget(parsing: workers), configuration: clientConfiguration, logger: quietLogger)
            }
        let maintenance =
            configuration.maintenanceFile.isEmpty ? nil : MaintenanceSwitch(path: configuration.maintenanceFile, logger: quietLogger)
        let app = EdgeService.makeApplication(
            configuration, upstream: client, upstreamTimeout: upstreamTimeout, maintenance: maintenance, logger: quietLogger)
        let tls =
            configuration.isTLSEnabled
            ? try TLSContextStore(certificatePath: configuration.tlsCertificate, keyPath: configuration.tlsKey) : nil
        let server = HTTPServer(app: app, tls: tls, logger: quietLogger)
        let limiters: [any Service] = app.proxies.compactMap(\.limiter)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [client] + limiters + [server], logger: quietLogger))
        let task = Task { try await group.run() }
        let address = try await server.localAddress()
        return EdgeHarness(
            server: server, tls: tls, client: client, maintenance: maintenance, group: group, task: task, port: address.port ?? 0,
            root: root)
    }

    private init(
        server: HTTPServer, tls: TLSContextStore?, client: RPCClient, maintenance: MaintenanceSwitch?, group: ServiceGroup,
        task: Task<Void, any Error>,
        port: Int, root: URL
    ) {
        self.server = server
        self.tls = tls
        self.client = client
        self.maintenance = maintenance
        self.group = group
        self.task = task
        self.port = port
        self.root = root
    }

    /// Waits until the RPC client has a ready connection to `count` connections' worth of workers.
    func waitForWorkers(connections: Int = 1) async throws {
        let until = ContinuousClock.now + .seconds(5)
        while client.readyConnectionCount < connections {
            guard ContinuousClock.now < until else { throw TestFailure("workers never became ready") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func get(_ target: String, headers: [String: String] = [:], method: String = "GET") async throws -> TestResponse {
        try await RawHTTPClient.get(target, port: port, headers: headers, method: method)
    }

    func connect() async throws -> RawHTTPClient {
        try await RawHTTPClient.connect(port: port)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: root)
    }
}
