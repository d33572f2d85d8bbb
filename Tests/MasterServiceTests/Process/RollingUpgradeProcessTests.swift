import Foundation
import NIOConcurrencyHelpers
import PostgresNIO
import PostgresTestSupport
import ServiceTestSupport
import Synchronization
import XCTest

@testable import MasterService

/// A release rolled out one service at a time under load, then rolled back, as `kubectl
/// rollout` or a compose re-create would: the real master replaces the data instances one by
/// one, then the workers, while clients read and write through the real edge against a real
/// PostgreSQL.
///
/// "v2" is this tree with `Tests/Fixtures/RollingUpgrade/v2.patch` applied, built by
/// `scripts/build-fixture-v2.sh` (the test command runs it first): `Micropost` gains a field,
/// the data service a method (`microposts.count`) that v2 workers call only where it is
/// served, and an expand migration that builds an index concurrently. A release changes when
/// its `version` file changes: the master's `--watch` runs the topology's install command for
/// that service and chain-reloads only its instances.
final class RollingUpgradeProcessTests: XCTestCase {
    static let jwtSecret = "rolling-upgrade-jwt-secret-of-at-least-32-bytes"
    static let rpcSecret = "rolling-upgrade-rpc-secret-of-at-least-32-bytes"
    static let users = ["ann", "bea", "cal", "dan"]

    func testARollingUpgradeAndItsRollbackUnderLoadFailNoRequestAndLoseNoWrite() async throws {
        let v2 = try Self.v2Products()
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.createDatabase()
        let ports = try PortBlock.find()
        let project = try Project(ports: ports, v2: v2, databaseURL: cluster.url(database: database))
        defer { project.remove() }
        let master = try MasterProcess(
            ports: ports,
            arguments: ["--topology", project.topology.path, "--watch", "--watch-interval", "200ms", "--watch-quiet", "300ms"])
        defer { master.forceStop() }
        try await master.waitForState(timeout: .seconds(60), "every instance ready") { $0.ready }

        let tokens = try await Self.users.asyncMap { try await Self.signUp($0, port: ports.edgeHTTP) }
        let load = MixedLoad(port: ports.edgeHTTP, users: Array(zip(Self.users, tokens)))
        let traffic = Task { await load.run() }
        defer { load.stop() }

        try await Task.sleep(for: .seconds(3))
        let steady = load.mark("steady")
        let v1Body = try await Self.userBody(Self.users[0], token: tokens[0], port: ports.edgeHTTP)
        XCTAssertNil(v1Body["micropost_count"], "v1 has no count")

        // Forward: data first (old workers meet both data versions), then the workers.
        try await roll(.data, to: "v2", project: project, master: master)
        try await roll(.worker, to: "v2", project: project, master: master)
        try await Task.sleep(for: .seconds(1))
        let upgrade = load.mark("upgrade")
        let v2Body = try await Self.userBody(Self.users[0], token: tokens[0], port: ports.edgeHTTP)
        XCTAssertNotNil(v2Body["micropost_count"] as? Int, "v2 workers use v2's new method: \(v2Body)")
        let v2Post = try await Self.firstPost(of: Self.users[0], token: tokens[0], port: ports.edgeHTTP)
        XCTAssertNotNil(v2Post["length"] as? Int, "v2 data sends v2's new field: \(v2Post)")

        // Back, data first: v2 workers then meet v1 data, and call the new method only while
        // an instance serves it, then do without; the v1 data instances restart on the schema
        // v2 migrated.
        try await roll(.data, to: "v1", project: project, master: master)
        let mixedBody = try await Self.userBody(Self.users[0], token: tokens[0], port: ports.edgeHTTP)
        XCTAssertNil(mixedBody["micropost_count"], "no data instance serves the count: \(mixedBody)")
        let mixedPost = try await Self.firstPost(of: Self.users[0], token: tokens[0], port: ports.edgeHTTP)
        XCTAssertNil(mixedPost["length"], "v1 data sends no length: \(mixedPost)")
        try await roll(.worker, to: "v1", project: project, master: master)
        try await Task.sleep(for: .seconds(1))
        let rollback = load.mark("rollback")
        let backBody = try await Self.userBody(Self.users[0], token: tokens[0], port: ports.edgeHTTP)
        XCTAssertNil(backBody["micropost_count"], "rolled back to v1: \(backBody)")

        load.stop()
        await traffic.value
        let result = load.result
        print(
            "rolling upgrade: \(result.succeeded) requests, \(result.acknowledgedWrites.count) writes; p99 steady \(steady.p99), "
                + "upgrade \(upgrade.p99), rollback \(rollback.p99)")
        XCTAssertEqual(result.failures.count, 0, "failed requests: \(result.failures.prefix(5))")
        XCTAssertGreaterThan(steady.count, 100)
        XCTAssertGreaterThan(upgrade.count, 100)
        XCTAssertGreaterThan(rollback.count, 100)
        // A replacement that made requests wait for a dead or unready instance would cost a
        // connect timeout or a retry back-off (hundreds of milliseconds). Twice the steady p99
        // alone is too tight: starting debug builds beside the load on two cores costs a few
        // milliseconds by itself (seen in CI: 8.5 ms steady, 18.3 ms during the upgrade).
        let budget = steady.p99 * 2 + .milliseconds(20)
        XCTAssertLessThanOrEqual(upgrade.p99, budget, "p99 during the upgrade (steady \(steady.p99))")
        XCTAssertLessThanOrEqual(rollback.p99, budget, "p99 during the rollback (steady \(steady.p99))")

        // Every acknowledged write is there exactly once, and nothing else was written.
        let stored = try await cluster.withClient(database: database) { client in
            try await client.query("SELECT text, count(*) FROM microposts GROUP BY text").collect().map {
                try $0.decode((String, Int).self)
            }
        }
        let copies = Dictionary(uniqueKeysWithValues: stored)
        XCTAssertEqual(copies.count, result.acknowledgedWrites.count)
        for text in result.acknowledgedWrites where copies[text] != 1 {
            XCTFail("acknowledged write '\(text)' is stored \(copies[text] ?? 0) times")
        }
        let schema = try await cluster.withClient(database: database) { client in
            try await client.query("SELECT max(version) FROM schema_migrations").collect().first?.decode(Int.self)
        }
        XCTAssertEqual(schema, 4, "v1 data instances serve on v2's expanded schema")

        let status = try await master.stop()
        XCTAssertEqual(status, 0, master.failure("exit status").description)
    }

    /// Installs `version` of `service` and waits until the master has replaced every instance.
    private func roll(_ service: ServiceName, to version: String, project: Project, master: MasterProcess) async throws {
        let before = try await master.state().currentPIDs(service)
        try project.release(service, version)
        try await master.waitForState(timeout: .seconds(90), "\(service) rolled to \(version)") { state in
            let pids = state.currentPIDs(service)
            return pids.count == before.count && pids.allSatisfy { before[$0.key] != $0.value } && !state.reloadInProgress
                && state.instances.allSatisfy { $0.role == .current && $0.state == .ready }
        }
    }

    // MARK: The two releases

    /// Where `scripts/build-fixture-v2.sh` put v2's executables: `FIXTURE_V2_BIN`, which the
    /// test command sets (and then they must be there), else the script's default folder.
    static func v2Products() throws -> URL {
        if let given = ProcessInfo.processInfo.environment["FIXTURE_V2_BIN"] {
            let folder = URL(fileURLWithPath: given)
            guard FileManager.default.isExecutableFile(atPath: folder.appending(path: "worker").path) else {
                throw LoadFailure("FIXTURE_V2_BIN=\(given) holds no v2 executables")
            }
            return folder
        }
        let folder = packageRoot.appending(path: ".build/fixture-v2/build/debug")
        guard FileManager.default.isExecutableFile(atPath: folder.appending(path: "worker").path) else {
            throw XCTSkip("v2 of the data service and worker is not built: run scripts/build-fixture-v2.sh (the test command does)")
        }
        return folder
    }

    static var packageRoot: URL {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appending(path: "Package.swift").path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder
    }

    /// A folder with both releases' executables, the installed ones in `bin/`, and a topology
    /// of data ×2, worker ×2 and edge ×1 whose data and worker are rebuilt (installed) when
    /// `release/<service>/version` changes.
    private struct Project {
        let folder: URL
        let topology: URL

        init(ports: PortBlock, v2: URL, databaseURL: String) throws {
            let files = FileManager.default
            folder = files.temporaryDirectory.appending(path: "rollout-\(UUID().uuidString)")
            for (version, products) in [("v1", productsDirectory), ("v2", v2)] {
                try files.createDirectory(at: folder.appending(path: "releases/\(version)"), withIntermediateDirectories: true)
                for service in ["data", "worker"] {
                    try files.copyItem(
                        at: products.appending(path: service), to: folder.appending(path: "releases/\(version)/\(service)"))
                }
            }
            try files.createDirectory(at: folder.appending(path: "bin"), withIntermediateDirectories: true)
            try files.copyItem(at: productsDirectory.appending(path: "edge"), to: folder.appending(path: "bin/edge"))
            for service in ["data", "worker"] {
                try files.createDirectory(at: folder.appending(path: "release/\(service)"), withIntermediateDirectories: true)
                try Data("v1\n".utf8).write(to: folder.appending(path: "release/\(service)/version"))
                try files.copyItem(at: folder.appending(path: "releases/v1/\(service)"), to: folder.appending(path: "bin/\(service)"))
            }
            // A running executable cannot be written over: the new one is renamed into place.
            let install = """
                #!/bin/sh
                set -e
                version=$(cat "release/$1/version")
                cp "releases/$version/$1" "bin/.$1.new"
                mv -f "bin/.$1.new" "bin/$1"
                """
            try Data(install.utf8).write(to: folder.appending(path: "install.sh"))
            try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appending(path: "install.sh").path)

            let bin = folder.appending(path: "bin").path
            let secrets = #""RPC_SECRET": "\#(RollingUpgradeProcessTests.rpcSecret)""#
            let services = [
                """
                {"name": "data", "executable": "\(bin)/data", "instances": 2,
                 "ports": {"rpc": \(ports.dataRPC), "admin": \(ports.dataAdmin)},
                 "arguments": ["--password-hash-iterations", "210000"],
                 "environment": {"DATABASE_URL": "\(databaseURL)", \(secrets)},
                 "requestMetric": "rpc_server_calls_total", "sources": ["release/data"], "build": "./install.sh data"}
                """,
                """
                {"name": "worker", "executable": "\(bin)/worker", "instances": 2,
                 "ports": {"rpc": \(ports.workerRPC), "admin": \(ports.workerAdmin)}, "peers": ["data"],
                 "environment": {"JWT_SECRET": "\(RollingUpgradeProcessTests.jwtSecret)", \(secrets)},
                 "requestMetric": "rpc_server_calls_total", "sources": ["release/worker"], "build": "./install.sh worker"}
                """,
                """
                {"name": "edge", "executable": "\(bin)/edge", "ports": {"http": \(ports.edgeHTTP), "admin": \(ports.edgeAdmin)},
                 "peers": ["worker"], "arguments": ["--static-root", "\(MasterProcess.staticFolder.path)"],
                 "environment": {\(secrets)}, "requestMetric": "http_requests_total"}
                """,
            ]
            topology = folder.appending(path: "rollout.topology.json")
            try Data(#"{"services": [\#(services.joined(separator: ",\n"))]}"#.utf8).write(to: topology)
            try UnprivilegedAccount.giveToServices(folder)
        }

        func release(_ service: ServiceName, _ version: String) throws {
            try Data("\(version)\n".utf8).write(to: folder.appending(path: "release/\(service)/version"))
        }

        func remove() {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    // MARK: Clients

    static func signUp(_ username: String, port: Int) async throws -> String {
        let registered = try await httpRequest(
            port: port, method: "POST", path: "/api/users", json: #"{"username":"\#(username)","password":"password123"}"#)
        XCTAssertEqual(registered.status, 201, registered.body)
        let token = try await httpRequest(
            port: port, method: "POST", path: "/api/token",
            json: #"{"grant_type":"client_credentials","client_id":"\#(username)","client_secret":"password123"}"#)
        XCTAssertEqual(token.status, 200, token.body)
        let object = try JSONSerialization.jsonObject(with: Data(token.body.utf8)) as? [String: Any]
        return try XCTUnwrap(object?["access_token"] as? String)
    }

    static func userBody(_ username: String, token: String, port: Int) async throws -> [String: Any] {
        let reply = try await httpRequest(
            port: port, method: "GET", path: "/api/users/\(username)", headers: ["Authorization": "Bearer \(token)"])
        XCTAssertEqual(reply.status, 200, reply.body)
        return try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any] ?? [:]
    }

    static func firstPost(of username: String, token: String, port: Int) async throws -> [String: Any] {
        let reply = try await httpRequest(
            port: port, method: "GET", path: "/api/users/\(username)/collection", headers: ["Authorization": "Bearer \(token)"])
        XCTAssertEqual(reply.status, 200, reply.body)
        let page = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
        return (page?["result"] as? [[String: Any]])?.first ?? [:]
    }
}

/// One client per user, each sending a request every few milliseconds (a steady rate, not as
/// fast as the stack answers, so latency shows the stack rather than the queue the clients
/// build): writes a micropost, reads its collection, itself, and its latest post, in turn.
/// Each phase's latencies are kept apart, from one ``mark(_:)`` to the next.
final class MixedLoad: Sendable {
    struct Phase: Sendable {
        var name: String
        var count: Int
        var p99: Duration
    }

    struct Result: Sendable {
        var succeeded = 0
        var failures: [String] = []
        /// The texts of the microposts whose creation was answered 201.
        var acknowledgedWrites: [String] = []
        var latencies: [Duration] = []
    }

    let port: Int
    let users: [(String, String)]
    private let state = NIOLockedValueBox(Result())
    private let running = Atomic(true)
    static let pause = Duration.milliseconds(8)

    init(port: Int, users: [(String, String)]) {
        self.port = port
        self.users = users
    }

    var result: Result { state.withLockedValue { $0 } }

    func stop() {
        running.store(false, ordering: .relaxed)
    }

    /// The latencies since the previous mark.
    func mark(_ name: String) -> Phase {
        let latencies = state.withLockedValue { state in
            defer { state.latencies.removeAll(keepingCapacity: true) }
            return state.latencies
        }
        let sorted = latencies.sorted()
        let p99 = sorted.isEmpty ? .zero : sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        return Phase(name: name, count: sorted.count, p99: p99)
    }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for (username, token) in users {
                group.addTask { await self.client(username, token: token) }
            }
        }
    }

    private func client(_ username: String, token: String) async {
        let headers = ["Authorization": "Bearer \(token)"]
        var step = 0
        var latestID: Int?
        while running.load(ordering: .relaxed) {
            step += 1
            let started = ContinuousClock.now
            do {
                switch step % 4 {
                case 0:
                    let text = "rollout \(username) \(step)"
                    let reply = try await httpRequest(
                        port: port, method: "POST", path: "/api/users/\(username)/collection", headers: headers,
                        json: #"{"text":"\#(text)"}"#)
                    guard reply.status == 201 else { throw LoadFailure("POST: HTTP \(reply.status): \(reply.body.prefix(200))") }
                    let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
                    latestID = object?["id"] as? Int
                    state.withLockedValue { $0.acknowledgedWrites.append(text) }
                case 1:
                    try await get("/api/users/\(username)/collection", headers)
                case 2:
                    try await get("/api/users/\(username)", headers)
                default:
                    try await get(latestID.map { "/api/users/\(username)/collection/\($0)" } ?? "/api/users/\(username)", headers)
                }
                let latency = ContinuousClock.now - started
                state.withLockedValue { state in
                    state.succeeded += 1
                    state.latencies.append(latency)
                }
            } catch {
                state.withLockedValue { $0.failures.append("\(error)") }
            }
            try? await Task.sleep(for: Self.pause)
        }
    }

    private func get(_ path: String, _ headers: [String: String]) async throws {
        let reply = try await httpRequest(port: port, method: "GET", path: path, headers: headers)
        guard reply.status == 200 else { throw LoadFailure("GET \(path): HTTP \(reply.status): \(reply.body.prefix(200))") }
    }
}

struct LoadFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

extension PostgresTestCluster {
    /// `DATABASE_URL` for `database` on this cluster.
    func url(database: String) -> String {
        "postgres://\(username):\(password)@\(host):\(port)/\(database)?sslmode=disable"
    }
}
