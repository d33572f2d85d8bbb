import Foundation
import Logging
import XCTest

@testable import MasterService

final class ChildRegistryTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appending(path: "child-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private let logger = Logger(label: "test")

    func testReclaimRecordsThisMasterAndTheInstancesItStarts() async throws {
        let registry = ChildRegistry(path: folder.appending(path: "master.children").path)
        try await registry.reclaim(stopTimeout: .seconds(1), logger: logger)
        XCTAssertEqual(registry.read().master?.pid, getpid())
        XCTAssertEqual(registry.read().children, [])

        // Any running process stands in for an instance.
        let instance = getppid()
        registry.started(pid: instance, name: "worker#0/1")
        XCTAssertEqual(registry.read().children.map(\.pid), [instance])
        registry.reaped(pid: instance)
        XCTAssertEqual(registry.read().children, [])
    }

    func testAMasterThatCannotWriteItsChildrenFileDoesNotStart() async throws {
        // A path whose folder does not exist fails for every account, root included (the
        // usual cause is a temporary folder closed to the master's account).
        let path = folder.appending(path: "missing/master.children").path
        let registry = ChildRegistry(path: path)
        do {
            try await registry.reclaim(stopTimeout: .seconds(1), logger: logger)
            XCTFail("a master that cannot record its instances started")
        } catch let error as ChildRegistry.Unwritable {
            XCTAssertEqual(error.path, path)
            XCTAssertTrue(error.description.contains("No such file or directory"), error.description)
            XCTAssertTrue(error.description.contains("--children-file"), error.description)
        }
    }

    func testAFileOfAMasterStillRunningIsRefused() async throws {
        // Any other running process stands in for the other master.
        let other = getppid()
        let startTime = try XCTUnwrap(ChildRegistry.startTime(of: other))
        let path = folder.appending(path: "master.children").path
        try Data("\(other) \(startTime) master\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            try await ChildRegistry(path: path).reclaim(stopTimeout: .seconds(1), logger: logger)
            XCTFail("a second master claimed a running master's file")
        } catch let error as ChildRegistry.InUse {
            XCTAssertEqual(error.master, other)
        }
        // A file whose master is gone (same pid, another start time) is claimed.
        try Data("\(other) \(startTime + 1) master\n".utf8).write(to: URL(fileURLWithPath: path))
        let registry = ChildRegistry(path: path)
        try await registry.reclaim(stopTimeout: .seconds(1), logger: logger)
        XCTAssertEqual(registry.read().master?.pid, getpid())
    }
}
