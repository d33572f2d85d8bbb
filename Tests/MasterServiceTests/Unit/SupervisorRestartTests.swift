import XCTest

@testable import MasterService

final class SupervisorRestartTests: XCTestCase {
    func testADeadInstanceIsRestartedOnItsPortsAndTheStateShowsIt() throws {
        var harness = SupervisorHarness(data: 0, worker: 2, edge: 0)
        harness.startAll()
        let dead = try XCTUnwrap(harness.current(.worker, 1))

        harness.advance(.seconds(5))
        let crash = harness.send(.exited(dead.id, .signaled(signal: 9)))
        XCTAssertEqual(crash.restartDelays, [.milliseconds(250)])
        XCTAssertEqual(crash.errors, ["instance exited unexpectedly"])
        XCTAssertFalse(harness.supervisor.isServing)

        let waiting = try XCTUnwrap(harness.supervisor.snapshot().instances.first { $0.index == 1 })
        XCTAssertEqual(waiting.state, .crashed)
        XCTAssertNil(waiting.pid)
        XCTAssertEqual(waiting.lastExit?.signal, 9)
        XCTAssertEqual(waiting.lastExit?.unexpected, true)

        harness.advance(.milliseconds(250))
        let restart = harness.send(.restartDue(SlotID(.worker, 1)))
        XCTAssertEqual(restart.spawnedPorts, [InstancePorts(rpc: 7202, admin: 9202)])
        harness.makeReady(.worker)
        XCTAssertTrue(harness.supervisor.isServing)

        let entry = try XCTUnwrap(harness.supervisor.snapshot().instances.first { $0.index == 1 })
        XCTAssertEqual(entry.state, .ready)
        XCTAssertEqual(entry.restarts, 1)
        XCTAssertEqual(entry.generation, 2)
        XCTAssertNotEqual(entry.pid, dead.pid)
        XCTAssertEqual(entry.lastExit?.status, "signal 9")
    }

    func testConsecutiveCrashesBackOffExponentially() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0) { plan in
            plan.restart = RestartPolicy(
                backoffBase: .milliseconds(100), backoffCap: .seconds(60), crashLoopExits: 100, crashLoopWindow: .seconds(30))
        }
        harness.start()
        var delays: [Duration] = []
        for _ in 0..<4 {
            let id = harness.current(.worker, 0)!.id
            let delay = harness.send(.exited(id, .exited(code: 1))).restartDelays
            delays += delay
            harness.advance(delay.first ?? .zero)
            harness.send(.restartDue(SlotID(.worker, 0)))
        }
        XCTAssertEqual(delays, [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
    }

    func testACrashLoopIsReportedAndRestartsAreBoundedByTheCap() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0) { plan in
            plan.restart = RestartPolicy(
                backoffBase: .milliseconds(10), backoffCap: .seconds(5), crashLoopExits: 5, crashLoopWindow: .seconds(30))
        }
        harness.start()
        var last: [SupervisorAction] = []
        for _ in 0..<5 {
            let id = harness.current(.worker, 0)!.id
            last = harness.send(.exited(id, .exited(code: 3)))
            harness.advance(.milliseconds(100))
            harness.send(.restartDue(SlotID(.worker, 0)))
        }
        XCTAssertEqual(last.restartDelays, [.seconds(5)])
        XCTAssertTrue(last.errors.contains("crash loop: restarts slowed down"))
        XCTAssertTrue(harness.supervisor.snapshot().instances[0].crashLoop)

        // Serving for a whole window ends the loop.
        harness.makeReady(.worker)
        harness.advance(.seconds(31))
        XCTAssertTrue(harness.send(.tick).messages.contains("crash loop over"))
        XCTAssertFalse(harness.supervisor.snapshot().instances[0].crashLoop)
    }

    func testARestartDueAfterShutdownStartsNothing() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0)
        harness.startAll()
        harness.send(.exited(harness.current(.worker, 0)!.id, .exited(code: 1)))
        let stop = harness.send(.shutdownRequested)
        XCTAssertEqual(stop.last, .finished)
        XCTAssertTrue(harness.send(.restartDue(SlotID(.worker, 0))).spawned.isEmpty)
    }
}
