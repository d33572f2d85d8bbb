import Foundation
import ServiceTestSupport
import XCTest

@testable import MasterService

/// Requests through the real edge to real workers while the master kills, reloads and
/// recycles workers: none may fail. `/api/openapi.json` is answered by the worker without
/// the data service, so these run without PostgreSQL.
final class MasterUnderLoadProcessTests: XCTestCase {
    static let path = "/api/openapi.json"
    static let clients = 4

    /// Starts the clients and waits until requests succeed (the edge has found the workers).
    private func startLoad(on master: MasterProcess) async throws -> RunningLoad {
        let load = LoadGenerator()
        let port = master.httpPort
        let path = Self.path
        let clients = Self.clients
        let traffic = Task { await load.run(port: port, path: path, clients: clients) }
        let warm = ContinuousClock.now + .seconds(10)
        while load.snapshot.succeeded < 20, ContinuousClock.now < warm {
            try await Task.sleep(for: .milliseconds(50))
        }
        return RunningLoad(load: load, traffic: traffic)
    }

    struct RunningLoad {
        let load: LoadGenerator
        let traffic: Task<Void, Never>

        func finish() async -> LoadGenerator.Result {
            load.stop()
            await traffic.value
            return load.snapshot
        }
    }

    func testAWorkerKilledUnderLoadCostsNoRequest() async throws {
        let master = try MasterProcess(workers: 2, edges: 1)
        defer { master.forceStop() }
        let before = try await master.waitUntilServing().currentPIDs(.worker)
        let victim = try XCTUnwrap(before[0])
        let running = try await startLoad(on: master)
        defer { running.load.stop() }
        try await Task.sleep(for: .seconds(1))
        kill(victim, SIGKILL)
        try await master.waitForState("worker#0 restarted") { state in
            state.currentPIDs(.worker)[0].map { $0 != victim } == true && state.ready
        }
        // Keep the load on while the edge reconnects to the restarted worker.
        try await Task.sleep(for: .seconds(2))
        let result = await running.finish()
        XCTAssertGreaterThan(result.succeeded, 100)
        XCTAssertEqual(result.failures.count, 0, "failed requests: \(result.failures.prefix(5))")
        let metrics = try await httpGet(port: master.adminPort, path: "/metrics").body
        for series in [#"master_restarts_total{service="worker"} 1"#, #"master_instances{service="worker",state="ready"} 2"#] {
            XCTAssertTrue(metrics.contains(series), "the master's /metrics lacks \(series)")
        }
        let status = try await master.stop()
        XCTAssertEqual(status, 0)
    }

    func testAChainReloadUnderLoadCostsNoRequest() async throws {
        let master = try MasterProcess(workers: 2, edges: 1)
        defer { master.forceStop() }
        let before = try await master.waitUntilServing().currentPIDs(.worker)
        let running = try await startLoad(on: master)
        defer { running.load.stop() }
        master.signal(SIGHUP)
        try await master.waitForState(timeout: .seconds(60), "chain reload finished") { state in
            let pids = state.currentPIDs(.worker)
            return pids.count == 2 && pids[0] != before[0] && pids[1] != before[1] && !state.reloadInProgress
                && state.entries(.worker).allSatisfy { $0.role == .current }
        }
        try await Task.sleep(for: .seconds(1))
        let result = await running.finish()
        XCTAssertGreaterThan(result.succeeded, 100)
        XCTAssertEqual(result.failures.count, 0, "failed requests: \(result.failures.prefix(5))")
        let status = try await master.stop()
        XCTAssertEqual(status, 0)
    }

    func testRecyclingAfterRequestsCostsNoRequest() async throws {
        let master = try MasterProcess(
            workers: 2, edges: 1,
            arguments: [
                "--worker-recycle-requests", "150", "--check-interval", "200ms",
            ])
        defer { master.forceStop() }
        _ = try await master.waitUntilServing()
        let running = try await startLoad(on: master)
        defer { running.load.stop() }
        try await master.waitForState(timeout: .seconds(60), "both workers recycled") { state in
            state.entries(.worker).filter { $0.role == .current && $0.replacements >= 1 && $0.state == .ready }.count == 2
        }
        // Under continuing load the workers keep reaching the limit; stop it mid-recycle,
        // which must cost no request either, then let the last replacement finish.
        let result = await running.finish()
        try await master.waitForState("recycling settled") { state in
            state.ready && state.entries(.worker).allSatisfy { $0.role == .current }
        }
        let state = try await master.state()
        for entry in state.entries(.worker) {
            XCTAssertTrue(entry.recycleReason?.contains("limit 150") == true, "\(entry)")
            XCTAssertEqual(entry.lastExit?.unexpected, false)
        }
        XCTAssertGreaterThan(result.succeeded, 300)
        XCTAssertEqual(result.failures.count, 0, "failed requests: \(result.failures.prefix(5))")
        let status = try await master.stop()
        XCTAssertEqual(status, 0)
    }
}
