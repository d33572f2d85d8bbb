import XCTest

@testable import MasterService

final class SupervisorStartupTests: XCTestCase {
    func testServicesStartInDependencyOrderEachWaitingForTheOneBefore() {
        var harness = SupervisorHarness(data: 1, worker: 2, edge: 1)
        XCTAssertEqual(harness.start().spawned.map(\.slot), [SlotID(.data, 0)])

        let workers = harness.makeReady(.data).spawned.map(\.slot)
        XCTAssertEqual(workers, [SlotID(.worker, 0), SlotID(.worker, 1)])

        // One worker ready is not enough for the edge.
        let first = harness.send(.ready(harness.current(.worker, 0)!.id))
        XCTAssertTrue(first.spawned.isEmpty)
        XCTAssertEqual(harness.send(.ready(harness.current(.worker, 1)!.id)).spawned.map(\.slot), [SlotID(.edge, 0)])
        XCTAssertFalse(harness.supervisor.isServing)

        let last = harness.makeReady(.edge)
        XCTAssertEqual(harness.supervisor.phase, .running)
        XCTAssertTrue(harness.supervisor.isServing)
        XCTAssertTrue(last.messages.contains("all instances ready"))
    }

    func testServicesWithoutInstancesAreSkipped() {
        var harness = SupervisorHarness(data: 0, worker: 3, edge: 0)
        XCTAssertEqual(harness.start().spawned.count, 3)
        harness.makeReady(.worker)
        XCTAssertEqual(harness.supervisor.phase, .running)
    }

    func testFirstInstancesUseTheFirstPortAlternative() {
        var harness = SupervisorHarness(data: 0, worker: 2, edge: 1)
        let ports = harness.start().spawnedPorts
        XCTAssertEqual(ports, [InstancePorts(rpc: 7200, admin: 9200), InstancePorts(rpc: 7202, admin: 9202)])
        XCTAssertEqual(harness.makeReady(.worker).spawnedPorts, [InstancePorts(admin: 9110, http: 8080)])
    }

    func testACrashDuringStartupIsRestartedAndTheNextServiceStillWaits() {
        var harness = SupervisorHarness(data: 1, worker: 1, edge: 0)
        harness.start()
        let first = harness.current(.data, 0)!.id
        let crash = harness.send(.exited(first, .exited(code: 1)))
        XCTAssertEqual(crash.restartDelays, [.milliseconds(250)])
        harness.advance(.milliseconds(250))
        let restart = harness.send(.restartDue(SlotID(.data, 0)))
        XCTAssertEqual(restart.spawned.map(\.generation), [2])
        XCTAssertEqual(harness.slot(.data, 0).restarts, 1)
        XCTAssertEqual(harness.makeReady(.data).spawned.map(\.slot), [SlotID(.worker, 0)])
    }

    func testAnInstanceNeverReadyIsKilledAndItsExitIsACrash() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0)
        harness.start()
        let id = harness.current(.worker, 0)!.id
        let timeout = harness.send(.readinessTimedOut(id))
        guard case .kill(let killed, _)? = timeout.first(where: { if case .kill = $0 { true } else { false } }) else {
            return XCTFail("expected a kill, got \(timeout)")
        }
        XCTAssertEqual(killed, id)
        XCTAssertEqual(harness.send(.exited(id, .signaled(signal: 9))).restartDelays.count, 1)
    }

    func testAFailedSpawnIsRestartedWithBackoff() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0)
        harness.start()
        let id = harness.current(.worker, 0)!.id
        let actions = harness.send(.spawnFailed(id, reason: "no such file"))
        XCTAssertEqual(actions.restartDelays.count, 1)
        XCTAssertEqual(harness.slot(.worker, 0).lastExit?.status, .notStarted(reason: "no such file"))
    }
}
