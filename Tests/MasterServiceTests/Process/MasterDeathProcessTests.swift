import Foundation
import ServiceTestSupport
import XCTest

@testable import MasterService

/// What happens to the instances when the master itself dies without stopping them.
final class MasterDeathProcessTests: XCTestCase {
    func testInstancesStopThemselvesWhenTheMasterIsKilled() async throws {
        let master = try MasterProcess(workers: 2)
        defer { master.forceStop() }
        let pids = Array(try await master.waitUntilServing().currentPIDs(.worker).values)
        XCTAssertEqual(pids.count, 2)

        master.signal(SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while !master.survivingInstances.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertEqual(master.survivingInstances, [], "instances outlived their master")

        // Their ports are free again: a new master on the same ports serves.
        let next = try MasterProcess(workers: 2, reusing: master.ports)
        defer { next.forceStop() }
        _ = try await next.waitUntilServing()
        XCTAssertFalse(next.log().contains("left by a previous master"), "nothing was left to stop")
        let status = try await next.stop()
        XCTAssertEqual(status, 0)
    }

    func testANewMasterStopsInstancesItsPredecessorLeftBehind() async throws {
        // A worker holding the ports the new master's worker needs, recorded as the instance
        // of a master that is gone: what a killed master leaves when an instance hangs.
        let ports = try PortBlock.find()
        let leftover = try ServiceProcess(
            "worker", arguments: ["--rpc-listen", "127.0.0.1:\(ports.workerRPC)"], adminPort: ports.workerAdmin)
        try await leftover.waitForAdmin("/readyz", status: 200)
        let folder = FileManager.default.temporaryDirectory.appending(path: "children-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The master may run as another (unprivileged) account than the test.
        chmod(folder.path, 0o777)
        let file = folder.appending(path: "master.children").path
        let pid = leftover.process.processIdentifier
        let startTime = try XCTUnwrap(ChildRegistry.startTime(of: pid))
        try Data("999999 1 master\n\(pid) \(startTime) worker#0/1\n".utf8).write(to: URL(fileURLWithPath: file))

        let next = try MasterProcess(workers: 1, arguments: ["--children-file", file, "--stop-timeout", "5s"], reusing: ports)
        defer { next.forceStop() }
        let serving = try await next.waitUntilServing()
        XCTAssertNotEqual(serving.currentPIDs(.worker)[0], pid)
        XCTAssertTrue(next.log().contains("found instances left by a previous master"), next.failure("no leftover reported").description)
        let exit = try await leftover.waitForExit(timeout: .seconds(5))
        XCTAssertEqual(exit, 0, "the leftover was stopped gracefully")
        let status = try await next.stop()
        XCTAssertEqual(status, 0)
    }

    func testAMasterRefusesTheChildrenFileOfARunningMaster() async throws {
        let first = try MasterProcess(workers: 1)
        defer { first.forceStop() }
        _ = try await first.waitUntilServing()
        let second = try MasterProcess(workers: 1, arguments: ["--children-file", first.childrenFile])
        defer { second.forceStop() }
        // Reading `terminationStatus` of a running process traps the whole test run, so a
        // master that did not refuse is a failure with its log, never a read of its status.
        guard let refused = try await second.exitStatus(within: .seconds(60)) else {
            return XCTFail(second.failure("the second master did not refuse the children file").description)
        }
        XCTAssertEqual(refused, 1)
        XCTAssertTrue(second.log().contains("another master (pid \(first.pid))"), second.log())
        let status = try await first.stop()
        XCTAssertEqual(status, 0)
    }
}
