import Foundation
import ServiceTestSupport
import XCTest

@testable import MasterService

/// The real master supervising real workers (which serve health without a data service).
final class MasterSupervisionProcessTests: XCTestCase {
    func testAKilledWorkerIsRestartedAndTheStateShowsIt() async throws {
        let master = try MasterProcess(workers: 2)
        defer { master.forceStop() }
        let initial = try await master.waitUntilServing()
        let before = initial.currentPIDs(.worker)
        XCTAssertEqual(before.count, 2)
        XCTAssertEqual(initial.phase, "running")
        let victim = try XCTUnwrap(before[0])

        kill(victim, SIGKILL)
        let after = try await master.waitForState("worker#0 restarted") { state in
            guard let entry = state.entries(.worker).first(where: { $0.index == 0 && $0.role == .current }) else { return false }
            return entry.state == .ready && entry.pid != victim && entry.restarts == 1
        }
        let restarted = try XCTUnwrap(after.entries(.worker).first { $0.index == 0 })
        XCTAssertEqual(restarted.lastExit?.signal, SIGKILL)
        XCTAssertEqual(restarted.lastExit?.unexpected, true)
        XCTAssertEqual(restarted.ports, InstancePorts(rpc: master.ports.workerRPC, admin: master.ports.workerAdmin))
        XCTAssertEqual(after.currentPIDs(.worker)[1], before[1], "the other worker is untouched")
        XCTAssertTrue(master.log().contains("instance exited unexpectedly"))

        let status = try await master.stop()
        XCTAssertEqual(status, 0, master.failure("exit status").description)
        XCTAssertEqual(master.survivingInstances, [], "SIGTERM stops every instance")
    }

    func testSIGHUPRollsEveryWorkerOneAtATimeWhileTheOthersStayReady() async throws {
        let master = try MasterProcess(workers: 2)
        defer { master.forceStop() }
        let before = try await master.waitUntilServing().currentPIDs(.worker)

        master.signal(SIGHUP)
        var observations = 0
        let deadline = ContinuousClock.now + .seconds(40)
        var final: MasterSnapshot?
        while ContinuousClock.now < deadline {
            let state = try await master.state()
            observations += 1
            let slotsReady = (0..<2).allSatisfy { index in
                state.entries(.worker).contains { $0.index == index && $0.role == .current && $0.state == .ready }
            }
            XCTAssertTrue(slotsReady, "every slot has a ready instance at every moment: \(state.instances)")
            let replacing = Set(state.entries(.worker).filter { $0.role == .successor || $0.role == .retiring }.map(\.index))
            XCTAssertLessThanOrEqual(replacing.count, 1, "one slot at a time: \(state.instances)")
            let pids = state.currentPIDs(.worker)
            if pids.count == 2, pids[0] != before[0], pids[1] != before[1], !state.reloadInProgress,
                state.entries(.worker).allSatisfy({ $0.role == .current })
            {
                final = state
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let done = try XCTUnwrap(final, master.failure("chain reload did not finish").description)
        XCTAssertGreaterThan(observations, 10)
        for entry in done.entries(.worker) {
            XCTAssertEqual(entry.replacements, 1)
            XCTAssertEqual(entry.restarts, 0)
            XCTAssertEqual(entry.ports?.rpc, master.ports.workerRPC + 2 * entry.index + 1, "the replacement took the other ports")
            XCTAssertEqual(entry.lastExit?.unexpected, false)
        }
        XCTAssertTrue(master.log().contains("chain reload finished"))
        let status = try await master.stop()
        XCTAssertEqual(status, 0)
        XCTAssertEqual(master.survivingInstances, [])
    }

    func testSIGTERMStopsTheEdgeBeforeTheWorkersAndExitsZero() async throws {
        let master = try MasterProcess(workers: 2, edges: 1)
        defer { master.forceStop() }
        let state = try await master.waitUntilServing()
        XCTAssertEqual(state.entries(.edge).first?.ports?.http, master.httpPort)
        let status = try await master.stop()
        XCTAssertEqual(status, 0, master.failure("exit status").description)
        XCTAssertEqual(master.survivingInstances, [])
        let log = master.log()
        let edgeStopped = try XCTUnwrap(log.range(of: "edge instances stopped"), master.failure("no edge stop").description)
        let workersStopping = try XCTUnwrap(log.range(of: "stopping worker instances"))
        XCTAssertLessThan(edgeStopped.lowerBound, workersStopping.lowerBound, "workers stop only after the edge is gone")
        XCTAssertTrue(log.contains("all instances stopped"))
    }

    /// When the suite runs as root, the master runs as the service account and so does every
    /// instance it starts: a bug only root gets away with fails here as it would deployed.
    func testTheMasterAndItsInstancesRunAsTheServiceAccount() async throws {
        try XCTSkipUnless(geteuid() == 0, "the suite does not run as root: the services run as its own user")
        try XCTSkipIf(UnprivilegedAccount.rootRequested, "\(UnprivilegedAccount.environmentVariable) asks for root")
        let account = try XCTUnwrap(try UnprivilegedAccount.forServices(), "the suite runs as root, and so would the services")
        let master = try MasterProcess(workers: 1, edges: 1)
        defer { master.forceStop() }
        let state = try await master.waitUntilServing()
        let pids = [master.pid] + state.instances.compactMap(\.pid)
        XCTAssertEqual(pids.count, 3)
        for pid in pids {
            let credentials = try XCTUnwrap(ProcessCredentials(pid: pid), "pid \(pid)")
            XCTAssertEqual(credentials.uids, Array(repeating: account.uid, count: 4), "pid \(pid)")
        }
        let status = try await master.stop()
        XCTAssertEqual(status, 0, master.failure("exit status").description)
    }

    func testACrashLoopingServiceIsReportedNotSpun() async throws {
        // A worker that cannot start: its RPC flag is invalid, so it exits 2 at once.
        let master = try MasterProcess(
            workers: 1,
            arguments: [
                "--worker-args=--rpc-max-frame-size 1", "--restart-backoff", "50ms", "--restart-backoff-cap", "2s",
                "--crash-loop-exits", "3", "--crash-loop-window", "30s",
            ])
        defer { master.forceStop() }
        let looping = try await master.waitForState("crash loop reported") { state in
            state.entries(.worker).first?.crashLoop == true
        }
        XCTAssertEqual(looping.entries(.worker).first?.lastExit?.code, 2)
        // Bounded: after the loop is detected, at most one restart per cap (2s).
        let restartsAtDetection = looping.entries(.worker).first?.restarts ?? 0
        try await Task.sleep(for: .seconds(3))
        let later = try await master.state()
        XCTAssertLessThanOrEqual((later.entries(.worker).first?.restarts ?? 0) - restartsAtDetection, 2)
        XCTAssertFalse(later.ready)
        XCTAssertTrue(master.log().contains("crash loop: restarts slowed down"))
        let status = try await master.stop()
        XCTAssertEqual(status, 0)
    }
}
