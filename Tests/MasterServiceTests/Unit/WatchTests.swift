import XCTest

@testable import MasterService

final class SourceChangeDetectorTests: XCTestCase {
    private let start = ContinuousClock.now

    private func scan(_ files: [String: Int64]) -> SourceFingerprint {
        SourceFingerprint(files: files.mapValues { SourceFingerprint.Stamp(modifiedNanoseconds: $0, size: 10) })
    }

    private func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        start + .milliseconds(milliseconds)
    }

    func testTheFirstScanIsTheBaselineAndAnUnchangedTreeNeverBuilds() {
        var detector = SourceChangeDetector(quiet: .milliseconds(500))
        for second in 0..<5 {
            XCTAssertNil(detector.observe(scan(["a.swift": 1]), at: at(second * 1000)))
        }
        XCTAssertFalse(detector.isPending)
    }

    func testAChangeBuildsOnceTheSourcesHaveBeenQuiet() {
        var detector = SourceChangeDetector(quiet: .milliseconds(500))
        _ = detector.observe(scan(["a.swift": 1, "b.swift": 1]), at: at(0))
        XCTAssertNil(detector.observe(scan(["a.swift": 2, "b.swift": 1]), at: at(1000)), "changed just now: wait")
        XCTAssertTrue(detector.isPending)
        XCTAssertNil(detector.observe(scan(["a.swift": 2, "b.swift": 1]), at: at(1200)), "not quiet long enough")
        XCTAssertEqual(detector.observe(scan(["a.swift": 2, "b.swift": 1]), at: at(1600)), ["a.swift"])
        XCTAssertFalse(detector.isPending)
        XCTAssertNil(detector.observe(scan(["a.swift": 2, "b.swift": 1]), at: at(2600)), "built once, not again")
    }

    func testSavesInARowMakeOneBuildCoveringAllOfThem() {
        var detector = SourceChangeDetector(quiet: .milliseconds(500))
        _ = detector.observe(scan(["a.swift": 1]), at: at(0))
        XCTAssertNil(detector.observe(scan(["a.swift": 2]), at: at(100)))
        XCTAssertNil(detector.observe(scan(["a.swift": 2, "new.swift": 1]), at: at(400)))
        XCTAssertNil(detector.observe(scan(["new.swift": 1]), at: at(800)), "still changing: the quiet period starts again")
        XCTAssertNil(detector.observe(scan(["new.swift": 1]), at: at(1200)))
        XCTAssertEqual(detector.observe(scan(["new.swift": 1]), at: at(1300)), ["a.swift", "new.swift"])
    }

    func testAFileChangedAndChangedBackNeedsNoBuild() {
        var detector = SourceChangeDetector(quiet: .zero)
        _ = detector.observe(scan(["a.swift": 1]), at: at(0))
        _ = detector.observe(scan(["a.swift": 2]), at: at(100))
        _ = detector.observe(scan(["a.swift": 1]), at: at(200))
        XCTAssertNil(detector.observe(scan(["a.swift": 1]), at: at(300)))
        XCTAssertFalse(detector.isPending)
    }

    func testAFailedBuildIsRetriedOnlyAfterTheNextChange() {
        // The watcher does not tell the detector whether the build worked: a failed build
        // waits for the developer's next save, which is a change like any other.
        var detector = SourceChangeDetector(quiet: .zero)
        _ = detector.observe(scan(["a.swift": 1]), at: at(0))
        _ = detector.observe(scan(["a.swift": 2]), at: at(100))
        XCTAssertEqual(detector.observe(scan(["a.swift": 2]), at: at(200)), ["a.swift"])
        XCTAssertNil(detector.observe(scan(["a.swift": 2]), at: at(300)))
        _ = detector.observe(scan(["a.swift": 3]), at: at(400))
        XCTAssertEqual(detector.observe(scan(["a.swift": 3]), at: at(500)), ["a.swift"])
    }

    func testFingerprintsOfSeveralFoldersMerge() {
        let merged = scan(["a": 1]).merging(scan(["b": 2]))
        XCTAssertEqual(merged.files.keys.sorted(), ["a", "b"])
        XCTAssertEqual(merged.changes(since: scan(["a": 1, "c": 1])), ["b", "c"])
    }

    func testTheScannerSkipsHiddenEntriesAndSeesWrites() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appending(path: ".build"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appending(path: "Sources"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("a".utf8).write(to: folder.appending(path: "Sources/a.swift"))
        try Data("x".utf8).write(to: folder.appending(path: ".build/x.o"))
        let first = SourceScanner.scan(folder.path)
        XCTAssertEqual(first.files.keys.map { URL(fileURLWithPath: $0).lastPathComponent }, ["a.swift"])
        try Data("longer".utf8).write(to: folder.appending(path: "Sources/a.swift"))
        XCTAssertEqual(SourceScanner.scan(folder.path).changes(since: first).count, 1)
        XCTAssertEqual(SourceScanner.scan(folder.appending(path: "Sources/a.swift").path).files.count, 1, "a single file")
        XCTAssertEqual(SourceScanner.scan(folder.appending(path: "gone").path), SourceFingerprint())
    }
}

final class SupervisorRebuildTests: XCTestCase {
    func testARebuildReplacesOnlyThatServicesInstancesOneAtATime() {
        var harness = SupervisorHarness(data: 1, worker: 2, edge: 1)
        harness.startAll()
        let data = harness.current(.data, 0)?.pid
        let edge = harness.current(.edge, 0)?.pid

        var actions = harness.send(.rebuilt(.worker))
        XCTAssertTrue(actions.messages.contains("rebuilt, replacing its instances"))
        var replaced: [SlotID] = []
        while let successor = actions.spawned.first, replaced.count < 5 {
            replaced.append(successor.slot)
            XCTAssertTrue(harness.supervisor.slots.values.allSatisfy(\.isReady))
            harness.send(.ready(successor))
            actions = harness.exitStopped(in: harness.send(.handoverDue(successor)))
        }
        XCTAssertEqual(replaced, [SlotID(.worker, 0), SlotID(.worker, 1)])
        XCTAssertEqual(harness.current(.data, 0)?.pid, data)
        XCTAssertEqual(harness.current(.edge, 0)?.pid, edge)
        XCTAssertTrue(harness.supervisor.queue.isIdle)
    }

    func testARebuildReplacesAServiceLeftOutOfSIGHUP() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 1)
        harness.startAll()
        let rebuild = harness.send(.rebuilt(.edge))
        XCTAssertEqual(rebuild.stopped.map(\.slot), [SlotID(.edge, 0)], "in place: its port is fixed")
    }

    func testARebuildDuringThatSlotsReplacementReplacesItAgain() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0)
        harness.startAll()
        let first = harness.send(.reloadRequested).spawned
        XCTAssertEqual(first.count, 1)
        // The replacement may run the old executable: it is queued again behind itself.
        XCTAssertTrue(harness.send(.rebuilt(.worker)).spawned.isEmpty)
        harness.send(.ready(first[0]))
        let next = harness.exitStopped(in: harness.send(.handoverDue(first[0])))
        XCTAssertEqual(next.spawned.map(\.slot), [SlotID(.worker, 0)])
        XCTAssertTrue(harness.send(.rebuilt(.worker)).spawned.isEmpty, "queued once, however often it is rebuilt")
        XCTAssertEqual(harness.supervisor.queue.pending.count, 1)
    }

    func testARebuildWhileStoppingIsIgnored() {
        var harness = SupervisorHarness(data: 0, worker: 1, edge: 0)
        harness.startAll()
        harness.send(.shutdownRequested)
        XCTAssertTrue(harness.send(.rebuilt(.worker)).spawned.isEmpty)
    }
}

final class BuildCommandTests: XCTestCase {
    func testOutputAndExitStatusAreCollectedInTheWorkingDirectory() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "build it's-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let failed = await BuildCommand.run("pwd; echo 'main.swift:1: error: nope' >&2; exit 3", in: folder.path)
        XCTAssertFalse(failed.succeeded)
        XCTAssertEqual(failed.status, "exit 3")
        XCTAssertEqual(failed.output, folder.path + "\nmain.swift:1: error: nope\n")
        let built = await BuildCommand.run("true", in: folder.path)
        XCTAssertTrue(built.succeeded)
        let nowhere = await BuildCommand.run("true", in: folder.appending(path: "missing").path)
        XCTAssertFalse(nowhere.succeeded)
    }

    func testCancellingStopsTheWholeBuild() async throws {
        let started = ContinuousClock.now
        let build = Task { await BuildCommand.run("sleep 30 & sleep 30; wait", in: "/") }
        try await Task.sleep(for: .milliseconds(300))
        build.cancel()
        let result = await build.value
        XCTAssertFalse(result.succeeded)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
    }
}
