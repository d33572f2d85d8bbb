import Foundation
import NIOCore
import NIOPosix
import ServiceTestSupport
import XCTest

@testable import MasterService

/// The real `master` executable (with the real `worker`/`edge` beside it) on loopback ports.
/// Its output, and its children's, goes to a file rather than a pipe: an unread pipe fills up
/// under load and would block every process writing a log line.
final class MasterProcess: @unchecked Sendable {
    let process = Process()
    let ports: PortBlock
    let logFile: URL
    /// Every instance pid ever seen, so a failed test can still kill them all.
    private var seenPIDs: Set<Int32> = []

    var adminPort: Int { ports.master }
    var httpPort: Int { ports.edgeHTTP }
    /// The master's default `--children-file`, one per admin port: `reusing` another master's
    /// ports means reusing its file.
    var childrenFile: String { Self.temporaryFolder.appending(path: "master-\(ports.master).children").path }

    /// The built-in topology with no data service. `reusing` takes another master's ports
    /// (and so its children file).
    convenience init(workers: Int, edges: Int = 0, arguments: [String] = [], reusing: PortBlock? = nil) throws {
        let ports = try reusing ?? PortBlock.find()
        try self.init(
            ports: ports,
            arguments: [
                "--data-instances", "0", "--worker-instances", "\(workers)", "--edge-instances", "\(edges)",
                "--worker-rpc-port", "\(ports.workerRPC)", "--worker-admin-port", "\(ports.workerAdmin)",
                "--edge-http-port", "\(ports.edgeHTTP)", "--edge-admin-port", "\(ports.edgeAdmin)",
                "--edge-args=--static-root \(Self.staticFolder.path)",
            ] + arguments)
    }

    /// The master with its admin port from `ports` and `arguments` for the rest, e.g. a `--topology`.
    init(ports: PortBlock, arguments: [String]) throws {
        self.ports = ports
        logFile = FileManager.default.temporaryDirectory.appending(path: "master-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil) else {
            throw MasterProcessError(description: "cannot create \(logFile.path)")
        }
        let output = try FileHandle(forWritingTo: logFile)
        try UnprivilegedAccount.giveToServices(Self.staticFolder)
        try UnprivilegedAccount.giveToServices(Self.temporaryFolder)
        try process.useServiceExecutable(
            "master",
            arguments: [
                "--admin-host", "127.0.0.1", "--admin-port", "\(ports.master)",
                // Quick enough for tests, long enough for the edge to find a replacement.
                "--handover-delay", "1500ms", "--stop-timeout", "15s", "--drain-timeout", "60s",
            ] + arguments)
        // Its temporary files (the default children file, build logs) go to a folder its
        // account can write: the machine's temporary folder need not be open to that account.
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = Self.temporaryFolder.path
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    deinit {
        forceStop()
    }

    static let staticFolder: URL = {
        let folder = FileManager.default.temporaryDirectory.appending(path: "master-static-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Data("<h1>test</h1>\n".utf8).write(to: folder.appending(path: "index.html"))
        return folder
    }()

    static let temporaryFolder: URL = {
        let folder = FileManager.default.temporaryDirectory.appending(path: "master-tmp-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }()

    var pid: Int32 { process.processIdentifier }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// The master's `/instances` JSON.
    func state() async throws -> MasterSnapshot {
        let answer = try await httpGet(port: adminPort, path: "/instances")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let snapshot = try decoder.decode(MasterSnapshot.self, from: Data(answer.body.utf8))
        seenPIDs.formUnion(snapshot.instances.compactMap(\.pid))
        return snapshot
    }

    /// Polls the state until `condition` holds.
    @discardableResult
    func waitForState(
        timeout: Duration = .seconds(30), _ what: String, until condition: (MasterSnapshot) -> Bool
    ) async throws -> MasterSnapshot {
        let deadline = ContinuousClock.now + timeout
        var last: MasterSnapshot?
        while ContinuousClock.now < deadline {
            if let snapshot = try? await state() {
                last = snapshot
                if condition(snapshot) { return snapshot }
            }
            guard process.isRunning else { throw failure("master exited while waiting for: \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw failure("timed out waiting for: \(what); last state: \(String(describing: last))")
    }

    func waitUntilServing() async throws -> MasterSnapshot {
        try await waitForState("every instance ready") { $0.ready }
    }

    /// The exit status once the master has exited by itself, nil if it still runs after `timeout`.
    func exitStatus(within timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// SIGTERM, then the exit status (bounded).
    func stop(timeout: Duration = .seconds(60)) async throws -> Int32 {
        signal(SIGTERM)
        guard let status = try await exitStatus(within: timeout) else { throw failure("master did not exit within \(timeout)") }
        return status
    }

    /// Pids of instances seen that still run.
    var survivingInstances: [Int32] {
        seenPIDs.filter { kill($0, 0) == 0 && !isZombie($0) }.sorted()
    }

    func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    func failure(_ message: String) -> MasterProcessError {
        let tail = log().split(separator: "\n").suffix(40).joined(separator: "\n")
        return MasterProcessError(description: "\(message)\n--- master log (last 40 lines) ---\n\(tail)")
    }

    /// Leaves nothing behind, whatever state the test failed in.
    func forceStop() {
        if process.isRunning {
            kill(pid, SIGKILL)
        }
        for child in seenPIDs where kill(child, 0) == 0 {
            kill(child, SIGKILL)
        }
    }

    private func isZombie(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
        return status.contains("State:\tZ")
    }
}

struct MasterProcessError: Error, CustomStringConvertible {
    var description: String
}

/// Consecutive free loopback ports for one master and its instances.
struct PortBlock {
    let base: Int
    static let size = 32

    var master: Int { base }
    var edgeHTTP: Int { base + 2 }
    var edgeAdmin: Int { base + 4 }
    var workerRPC: Int { base + 8 }
    var workerAdmin: Int { base + 16 }
    /// Room for two data instances (each slot has two ports of a kind, for chain reloads).
    var dataRPC: Int { base + 24 }
    var dataAdmin: Int { base + 28 }

    static func find() throws -> PortBlock {
        for _ in 0..<50 {
            // Below Linux's ephemeral range (32768-60999): under load, the clients' own
            // connections take ephemeral ports, and a replacement binding one of its slot's
            // ports then failed with EADDRINUSE.
            let base = Int.random(in: 20_000...(32_768 - size))
            if (base..<base + size).allSatisfy(isFree) { return PortBlock(base: base) }
        }
        throw MasterProcessError(description: "no block of \(size) free ports found")
    }

    private static func isFree(_ port: Int) -> Bool {
        guard
            let channel = try? ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: port).wait()
        else { return false }
        try? channel.close().wait()
        return true
    }
}

extension MasterSnapshot {
    func entries(_ service: ServiceName) -> [Entry] {
        instances.filter { $0.service == service }
    }

    /// The pid of each slot's current instance, by index.
    func currentPIDs(_ service: ServiceName) -> [Int: Int32] {
        var pids: [Int: Int32] = [:]
        for entry in entries(service) where entry.role == .current {
            if let pid = entry.pid { pids[entry.index] = pid }
        }
        return pids
    }
}
