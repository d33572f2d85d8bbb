import MetricsTestKit
import XCTest

@testable import MasterService

/// The master's `/metrics`, made from the snapshots it publishes while a supervisor runs.
final class MasterMetricsTests: XCTestCase {
    func testInstancesByStateRestartsReplacementsAndRecycles() throws {
        let metrics = TestMetrics()
        let board = StateBoard(metrics: MasterMetrics(factory: metrics))
        var harness = SupervisorHarness(data: 0, worker: 2, edge: 0) { plan in
            plan.services[.worker]?.recycle = RecyclePolicy(maximumRequests: 100)
        }
        harness.startAll()
        board.publish(harness.supervisor.snapshot())
        func instances(_ state: String) throws -> Double? {
            try metrics.expectGauge("master_instances", [("service", "worker"), ("state", state)]).lastValue
        }
        func total(_ label: String) throws -> Int64 {
            try metrics.expectCounter(label, [("service", "worker")]).totalValue
        }
        XCTAssertEqual(try instances("ready"), 2)
        XCTAssertEqual(try instances("crashed"), 0)

        // A crash: one slot waits for its restart, then runs again.
        let dead = try XCTUnwrap(harness.current(.worker, 1))
        harness.send(.exited(dead.id, .signaled(signal: 9)))
        board.publish(harness.supervisor.snapshot())
        XCTAssertEqual(try instances("ready"), 1)
        XCTAssertEqual(try instances("crashed"), 1)
        harness.advance(.milliseconds(250))
        harness.send(.restartDue(SlotID(.worker, 1)))
        harness.makeReady(.worker)
        board.publish(harness.supervisor.snapshot())
        board.publish(harness.supervisor.snapshot())
        XCTAssertEqual(try instances("ready"), 2)
        XCTAssertEqual(try total("master_restarts_total"), 1, "counted once, however often it is published")

        // A recycle: a replacement, and a recycle.
        let worker0 = try XCTUnwrap(harness.current(.worker, 0)).id
        let recycle = harness.send(.measured(worker0, Usage(requests: 100)))
        let successor = try XCTUnwrap(recycle.spawned.first)
        board.publish(harness.supervisor.snapshot())
        XCTAssertEqual(try instances("starting"), 1)
        harness.send(.ready(successor))
        harness.exitStopped(in: harness.send(.handoverDue(successor)))
        board.publish(harness.supervisor.snapshot())
        XCTAssertEqual(try instances("ready"), 2)
        XCTAssertEqual(try instances("starting"), 0)
        XCTAssertEqual(try total("master_replacements_total"), 1)
        XCTAssertEqual(try total("master_recycles_total"), 1)
        XCTAssertEqual(try total("master_restarts_total"), 1)
    }
}
