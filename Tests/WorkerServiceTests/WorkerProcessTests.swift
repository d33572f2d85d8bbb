import AppServer
import Logging
import RPC
import ServiceKit
import ServiceTestSupport
import WorkerService
import XCTest

/// The worker as a real process: admin endpoints, RPC health, SIGTERM, bad configuration.
final class WorkerProcessTests: XCTestCase {
    func testServesHealthOverRPCAndAdminThenExitsCleanlyOnSIGTERM() async throws {
        let rpcPort = try freePort()
        let worker = try ServiceProcess("worker", arguments: ["--rpc-listen", "127.0.0.1:\(rpcPort)", "--drain-timeout", "5s"])
        try await worker.waitForAdmin("/readyz", status: 200)
        let health = try await httpGet(port: worker.adminPort, path: "/healthz")
        XCTAssertEqual(health.status, 200)
        let metrics = try await httpGet(port: worker.adminPort, path: "/metrics")
        XCTAssertEqual(metrics.status, 200)

        let client = RPCClient(target: try RPCTarget(parsing: "127.0.0.1:\(rpcPort)"), logger: Logger(label: "test"))
        let running = Task { try await client.run() }
        defer { running.cancel() }
        let reply = try await client.call(.health, HealthRequest())
        XCTAssertEqual(reply, HealthResponse(status: .serving, service: "worker"))

        let status = try await worker.stop(signal: SIGTERM)
        XCTAssertEqual(status, 0, worker.standardError)
        XCTAssertTrue(worker.standardOutput.contains("RPC server stopped"), worker.standardOutput)
    }

    func testHealthcheckSubcommandAsksTheRunningServicesReadiness() async throws {
        let worker = try ServiceProcess("worker", arguments: ["--rpc-listen", "127.0.0.1:\(try freePort())"])
        try await worker.waitForAdmin("/readyz", status: 200)
        let ready = try await runTool("worker", ["healthcheck", "--admin-host", "0.0.0.0", "--admin-port", "\(worker.adminPort)"])
        XCTAssertEqual(ready.status, 0, ready.stderr)

        let stopped = try await worker.stop(signal: SIGTERM)
        XCTAssertEqual(stopped, 0)
        let gone = try await runTool("worker", ["healthcheck", "--admin-port", "\(worker.adminPort)"])
        XCTAssertEqual(gone.status, 1)
        XCTAssertTrue(gone.stderr.contains("not ready") && gone.stderr.contains("\(worker.adminPort)"), gone.stderr)
    }

    func testAnExampleJWTSecretIsRefusedWithoutEchoingIt() async throws {
        let example = "compose-development-secret-change-me-0123456789"
        let worker = try ServiceProcess("worker", arguments: [], environment: ["JWT_SECRET": example])
        let status = try await worker.waitForExit()
        XCTAssertEqual(status, 2)
        let message = worker.standardError
        XCTAssertTrue(message.contains("JWT_SECRET") && message.contains("example value"), message)
        XCTAssertFalse(message.contains(example), message)
    }

    func testInvalidSettingStopsWithOneLineNamingIt() async throws {
        let worker = try ServiceProcess("worker", arguments: ["--rpc-max-frame-size", "lots"])
        let status = try await worker.waitForExit()
        XCTAssertEqual(status, 2)
        let message = worker.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(message.split(separator: "\n").count, 1, message)
        XCTAssertTrue(message.contains("--rpc-max-frame-size") && message.contains("RPC_MAX_FRAME_SIZE"), message)
    }

    func testConfigurationDefaultsAndOverrides() {
        var reader = ConfigReader(arguments: ["--rpc-listen", "unix:/tmp/w.sock"], environment: ["RPC_MAX_CONCURRENT_CALLS": "64"])
        let configuration = WorkerService.configure(&reader)
        XCTAssertNoThrow(try reader.finish())
        XCTAssertEqual(configuration.rpcServer.bindTarget, .unix(path: "/tmp/w.sock"))
        XCTAssertEqual(configuration.rpcServer.maximumConcurrentCallsPerConnection, 64)
    }
}
