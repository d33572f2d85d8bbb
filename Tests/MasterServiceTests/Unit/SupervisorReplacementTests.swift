import XCTest

@testable import MasterService

final class SupervisorReplacementTests: XCTestCase {
    /// Runs one overlapping replacement step by step: successor ready, handover, old one exits.
    private func completeReplacement(_ harness: inout SupervisorHarness, started: [SupervisorAction]) -> [SupervisorAction] {
        guard let successor = started.spawned.first else { return [] }
        let ready = harness.send(.ready(successor))
        XCTAssertEqual(ready.handovers, [successor])
        let handover = harness.send(.handoverDue(successor))
        return harness.exitStopped(in: handover)
    }

    func testChainReloadRollsOneInstanceAtATimeAlwaysKeepingEverySlotReady() {
        var harness = SupervisorHarness(data: 1, worker: 2, edge: 1)
        harness.startAll()
        let before = Dictionary(uniqueKeysWithValues: harness.supervisor.slots.map { ($0.key, $0.value.current?.pid) })

        var actions = harness.send(.reloadRequested)
        var order: [SlotID] = []
        var steps = 0
        while let successor = actions.spawned.first, steps < 10 {
            steps += 1
            order.append(successor.slot)
            XCTAssertEqual(actions.spawned.count, 1, "one replacement at a time")
            XCTAssertTrue(harness.supervisor.slots.values.allSatisfy(\.isReady), "every slot serves while \(successor) starts")
            harness.send(.ready(successor))
            XCTAssertTrue(harness.supervisor.slots.values.allSatisfy(\.isReady))
            let handover = harness.send(.handoverDue(successor))
            XCTAssertEqual(handover.stopped.count, 1, "the old instance stops only after its replacement is ready")
            XCTAssertTrue(handover.spawned.isEmpty, "the next replacement waits until the old instance has exited")
            XCTAssertTrue(harness.supervisor.slots.values.allSatisfy(\.isReady))
            actions = harness.exitStopped(in: handover)
        }
        XCTAssertEqual(order, [SlotID(.data, 0), SlotID(.worker, 0), SlotID(.worker, 1)], "the edge is not in the default reload")
        XCTAssertTrue(actions.messages.contains("chain reload finished"))
        for slot in order {
            XCTAssertNotEqual(harness.supervisor.slots[slot]?.current?.pid, before[slot] ?? nil)
            XCTAssertEqual(harness.supervisor.slots[slot]?.current?.alternative, 1, "the replacement took the other ports")
            XCTAssertEqual(harness.supervisor.slots[slot]?.replacements, 1)
        }
        XCTAssertEqual(harness.current(.edge, 0)?.id.generation, 1)
        XCTAssertEqual(harness.supervisor.phase, .running)
    }

    func testTheNextReloadSwitchesBackToTheFirstPorts() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0)
        harness.startAll()
        for expected in [7201, 7200, 7201] {
            let started = harness.send(.reloadRequested)
            XCTAssertEqual(started.spawnedPorts.first?.rpc, expected)
            _ = completeReplacement(&harness, started: started)
        }
    }

    func testAReloadDuringAReloadQueuesOnlyWhatIsNotQueued() {
        var harness = SupervisorHarness(data: 0, worker: 2, edge: 0)
        harness.startAll()
        let first = harness.send(.reloadRequested)
        XCTAssertEqual(first.spawned.count, 1)
        let second = harness.send(.reloadRequested)
        XCTAssertTrue(second.spawned.isEmpty)
        XCTAssertEqual(harness.supervisor.queue.pending.count, 1)
    }

    func testRecyclingAfterTheRequestLimit() {
        var harness = SupervisorHarness(data: 0, worker: 2, edge: 0) { plan in
            plan.services[.worker]?.recycle = RecyclePolicy(maximumRequests: 100)
        }
        harness.startAll()
        let tick = harness.send(.tick)
        let measured = tick.compactMap { if case .measure(let id, _, let port) = $0 { (id, port) } else { nil } }
        XCTAssertEqual(measured.map(\.1), [9200, 9202])

        let worker0 = harness.current(.worker, 0)!.id
        XCTAssertTrue(harness.send(.measured(worker0, Usage(requests: 99))).spawned.isEmpty)
        let recycle = harness.send(.measured(worker0, Usage(requests: 100)))
        XCTAssertEqual(recycle.spawned.map(\.slot), [SlotID(.worker, 0)])
        XCTAssertEqual(harness.slot(.worker, 0).lastReplacementReason, .requests(served: 100, limit: 100))

        // While it is being recycled it is neither measured nor recycled again.
        XCTAssertEqual(harness.send(.tick).filter { if case .measure = $0 { true } else { false } }.count, 1)
        XCTAssertTrue(harness.send(.measured(worker0, Usage(requests: 500))).spawned.isEmpty)

        _ = completeReplacement(&harness, started: recycle)
        let entry = harness.supervisor.snapshot().instances.first { $0.index == 0 }
        XCTAssertEqual(entry?.recycleReason, "served 100 requests (limit 100)")
        XCTAssertEqual(entry?.lastExit?.unexpected, false)
        XCTAssertTrue(harness.supervisor.queue.isIdle)
    }

    func testRecyclingOnMemory() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0) { plan in
            plan.services[.worker]?.recycle = RecyclePolicy(maximumResidentBytes: 100 << 20)
        }
        harness.startAll()
        let id = harness.current(.worker, 0)!.id
        XCTAssertEqual(harness.send(.measured(id, Usage(residentBytes: 200 << 20))).spawned.count, 1)
    }

    func testTheEdgeIsReplacedInPlaceOnTheSamePorts() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 1) { plan in
            plan.reloadServices = [.edge]
        }
        harness.startAll()
        let reload = harness.send(.reloadRequested)
        XCTAssertTrue(reload.spawned.isEmpty, "the old edge must release its port first")
        XCTAssertEqual(reload.stopped.count, 1)
        let restart = harness.exitStopped(in: reload)
        XCTAssertEqual(restart.spawnedPorts, [InstancePorts(admin: 9110, http: 8080)])
        let done = harness.makeReady(.edge)
        XCTAssertTrue(done.messages.contains("chain reload finished"))
        XCTAssertEqual(harness.slot(.edge, 0).replacements, 1)
        XCTAssertEqual(harness.slot(.edge, 0).restarts, 0)
    }

    func testAReplacementThatCrashLoopsIsAbandonedAndTheOldInstanceKeepsServing() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0) { plan in
            plan.restart = RestartPolicy(
                backoffBase: .milliseconds(10), backoffCap: .seconds(1), crashLoopExits: 3, crashLoopWindow: .seconds(30))
        }
        harness.startAll()
        let old = harness.current(.worker, 0)!
        var actions = harness.send(.reloadRequested)
        for _ in 0..<3 {
            guard let successor = actions.spawned.first else { return XCTFail("no successor started") }
            actions = harness.send(.exited(successor, .exited(code: 1)))
            harness.advance(.milliseconds(50))
            actions += harness.send(.restartDue(SlotID(.worker, 0)))
        }
        XCTAssertTrue(harness.history.errors.contains("replacement abandoned: crash loop"))
        XCTAssertEqual(harness.current(.worker, 0)?.id, old.id)
        XCTAssertTrue(harness.supervisor.isServing)
        XCTAssertTrue(harness.supervisor.queue.isIdle)
        XCTAssertNil(harness.slot(.worker, 0).successor)
    }

    func testWhenTheOldInstanceDiesDuringAReplacementTheSuccessorTakesOver() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0)
        harness.startAll()
        let old = harness.current(.worker, 0)!.id
        let started = harness.send(.reloadRequested)
        let crash = harness.send(.exited(old, .signaled(signal: 9)))
        XCTAssertTrue(crash.restartDelays.isEmpty, "its replacement is already starting")
        let successor = started.spawned[0]
        let ready = harness.send(.ready(successor))
        XCTAssertTrue(ready.handovers.isEmpty)
        XCTAssertEqual(harness.current(.worker, 0)?.id, successor)
        XCTAssertTrue(harness.supervisor.queue.isIdle)
        XCTAssertTrue(harness.supervisor.isServing)
    }

    func testNoHandoverDelayHandsOverAtOnce() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0) { $0.handoverDelay = .zero }
        harness.startAll()
        let started = harness.send(.reloadRequested)
        XCTAssertEqual(harness.send(.ready(started.spawned[0])).stopped.count, 1)
    }
}

final class SupervisorShutdownTests: XCTestCase {
    func testShutdownStopsTheEdgeFirstAndTheDataServiceLast() {
        var harness = SupervisorHarness(data: 1, worker: 2, edge: 1)
        harness.startAll()

        let edge = harness.send(.shutdownRequested)
        XCTAssertEqual(edge.stopped.map(\.slot), [SlotID(.edge, 0)])
        XCTAssertEqual(harness.supervisor.phase, .stopping(.edge))
        XCTAssertFalse(harness.supervisor.isServing)

        let workers = harness.exitStopped(in: edge)
        XCTAssertEqual(workers.stopped.map(\.slot).sorted(), [SlotID(.worker, 0), SlotID(.worker, 1)])

        let firstWorker = harness.send(.exited(workers.stopped[0], .exited(code: 0)))
        XCTAssertTrue(firstWorker.stopped.isEmpty, "data waits for every worker")
        let data = harness.send(.exited(workers.stopped[1], .exited(code: 0)))
        XCTAssertEqual(data.stopped.map(\.slot), [SlotID(.data, 0)])

        let done = harness.exitStopped(in: data)
        XCTAssertEqual(done.last, .finished)
        XCTAssertEqual(harness.supervisor.phase, .finished)
        XCTAssertTrue(harness.supervisor.snapshot().instances.allSatisfy { $0.state == .stopped })
    }

    func testAnInstanceThatIgnoresSIGTERMIsKilledAfterTheStopTimeout() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0)
        harness.startAll()
        let stop = harness.send(.shutdownRequested)
        let id = stop.stopped[0]
        let timeout = harness.send(.stopTimedOut(id))
        XCTAssertTrue(timeout.contains { if case .kill(id, _) = $0 { true } else { false } })
        XCTAssertEqual(harness.send(.exited(id, .signaled(signal: 9))).last, .finished)
    }

    func testShutdownDuringAReplacementStopsBothInstances() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0)
        harness.startAll()
        harness.send(.reloadRequested)
        let stop = harness.send(.shutdownRequested)
        XCTAssertEqual(stop.stopped.count, 2)
        XCTAssertTrue(harness.send(.reloadRequested).spawned.isEmpty, "no reload while stopping")
        harness.exitStopped(in: stop)
        XCTAssertEqual(harness.supervisor.phase, .finished)
    }

    func testShutdownDuringStartupStopsWhatRuns() {
        var harness = SupervisorHarness(data: 1, worker: 1, edge: 1)
        harness.start()
        let stop = harness.send(.shutdownRequested)
        XCTAssertEqual(stop.stopped.map(\.slot), [SlotID(.data, 0)])
        XCTAssertTrue(harness.send(.ready(stop.stopped[0])).spawned.isEmpty, "a retiring instance's readiness starts nothing")
        XCTAssertEqual(harness.exitStopped(in: stop).last, .finished)
    }
}
