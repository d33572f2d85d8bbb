import Foundation
import ServiceTestSupport
import XCTest

@testable import MasterService

/// `master --watch` with a topology file: a change to one service's sources runs its build
/// command and replaces only its instances. The "build" is a script that records each run
/// (and fails on demand), so no compiler runs; the instances are real workers and a real edge.
final class MasterWatchProcessTests: XCTestCase {
    /// A topology in a folder of its own: worker ×`workers` (sources `src/worker`) and,
    /// optionally, edge ×1 calling the workers (sources `src/edge`).
    private struct Project {
        let folder: URL
        let topology: URL

        init(ports: PortBlock, workers: Int, edge: Bool) throws {
            folder = FileManager.default.temporaryDirectory.appending(path: "watch-\(UUID().uuidString)")
            for sources in ["src/worker", "src/edge"] {
                try FileManager.default.createDirectory(at: folder.appending(path: sources), withIntermediateDirectories: true)
                try Data("// v1\n".utf8).write(to: folder.appending(path: sources + "/main.swift"))
            }
            // Records the run; fails, with a compiler-like message, while src/<service>/broken exists.
            let script = """
                #!/bin/sh
                if [ -e "src/$1/broken" ]; then
                    echo "src/$1/main.swift:1:1: error: cannot find 'oops' in scope" >&2
                    exit 1
                fi
                echo "$1" >> builds.log
                """
            let build = folder.appending(path: "build.sh")
            try Data(script.utf8).write(to: build)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: build.path)
            var services: [String] = [
                """
                {"name": "worker", "instances": \(workers), "ports": {"rpc": \(ports.workerRPC), "admin": \(ports.workerAdmin)},
                 "sources": ["src/worker"], "build": "./build.sh worker"}
                """
            ]
            if edge {
                services.append(
                    """
                    {"name": "edge", "ports": {"http": \(ports.edgeHTTP), "admin": \(ports.edgeAdmin)}, "peers": ["worker"],
                     "arguments": ["--static-root", "\(MasterProcess.staticFolder.path)"],
                     "sources": ["src/edge"], "build": "./build.sh edge"}
                    """)
            }
            topology = folder.appending(path: "test.topology.json")
            try Data(#"{"services": [\#(services.joined(separator: ",\n"))]}"#.utf8).write(to: topology)
            try UnprivilegedAccount.giveToServices(folder)
        }

        func touch(_ path: String, _ text: String) throws {
            try Data(text.utf8).write(to: folder.appending(path: path))
        }

        var builds: [String] {
            let text = (try? String(contentsOf: folder.appending(path: "builds.log"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map(String.init)
        }

        func remove() {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    private func startMaster(_ project: Project, ports: PortBlock) throws -> MasterProcess {
        try MasterProcess(
            ports: ports,
            arguments: ["--topology", project.topology.path, "--watch", "--watch-interval", "200ms", "--watch-quiet", "400ms"])
    }

    func testAChangedServiceIsRebuiltAndOnlyItsInstancesReplacedWithoutDroppingARequest() async throws {
        let ports = try PortBlock.find()
        let project = try Project(ports: ports, workers: 2, edge: true)
        defer { project.remove() }
        let master = try startMaster(project, ports: ports)
        defer { master.forceStop() }
        let before = try await master.waitUntilServing()
        let workers = before.currentPIDs(.worker)
        let edge = before.currentPIDs(.edge)
        XCTAssertEqual(workers.count, 2)
        XCTAssertEqual(edge.count, 1)

        let load = LoadGenerator()
        let traffic = Task { await load.run(port: ports.edgeHTTP, path: MasterUnderLoadProcessTests.path, clients: 4) }
        defer { load.stop() }
        let warm = ContinuousClock.now + .seconds(10)
        while load.snapshot.succeeded < 20, ContinuousClock.now < warm {
            try await Task.sleep(for: .milliseconds(50))
        }

        // Several saves in a row: one build.
        for version in 2...4 {
            try project.touch("src/worker/main.swift", "// v\(version)\n")
            try await Task.sleep(for: .milliseconds(100))
        }
        try project.touch("src/worker/added.swift", "// new\n")
        let after = try await master.waitForState(timeout: .seconds(60), "workers replaced") { state in
            let pids = state.currentPIDs(.worker)
            return pids.count == 2 && pids[0] != workers[0] && pids[1] != workers[1] && !state.reloadInProgress
                && state.instances.allSatisfy { $0.role == .current && $0.state == .ready }
        }
        try await Task.sleep(for: .seconds(1))
        load.stop()
        await traffic.value
        let result = load.snapshot

        XCTAssertEqual(after.currentPIDs(.edge), edge, "the edge, whose sources did not change, is untouched")
        XCTAssertEqual(project.builds, ["worker"], "one build for the burst of saves, none for the edge")
        for entry in after.entries(.worker) {
            XCTAssertEqual(entry.replacements, 1)
            XCTAssertEqual(entry.restarts, 0)
        }
        XCTAssertTrue(master.log().contains("sources changed, building"))
        XCTAssertGreaterThan(result.succeeded, 100)
        XCTAssertEqual(result.failures.count, 0, "failed requests: \(result.failures.prefix(5))")
        let status = try await master.stop()
        XCTAssertEqual(status, 0, master.failure("exit status").description)
        XCTAssertEqual(master.survivingInstances, [])
    }

    func testAFailedBuildShowsTheErrorAndKeepsTheRunningInstances() async throws {
        let ports = try PortBlock.find()
        let project = try Project(ports: ports, workers: 1, edge: false)
        defer { project.remove() }
        let master = try startMaster(project, ports: ports)
        defer { master.forceStop() }
        let before = try await master.waitUntilServing().currentPIDs(.worker)

        try project.touch("src/worker/broken", "")
        let deadline = ContinuousClock.now + .seconds(20)
        while !master.log().contains("cannot find 'oops' in scope"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertTrue(master.log().contains("build failed, the running instances stay"), master.failure("no build failure").description)
        XCTAssertTrue(master.log().contains("error: cannot find 'oops' in scope"), "the compiler's output is shown")
        try await Task.sleep(for: .seconds(1))
        let state = try await master.state()
        XCTAssertEqual(state.currentPIDs(.worker), before)
        XCTAssertTrue(state.ready)
        XCTAssertEqual(project.builds, [])

        // Fixed: the next change builds and replaces.
        try FileManager.default.removeItem(at: project.folder.appending(path: "src/worker/broken"))
        try await master.waitForState(timeout: .seconds(40), "worker replaced after the fix") { state in
            state.currentPIDs(.worker)[0].map { $0 != before[0] } == true && state.ready && !state.reloadInProgress
        }
        XCTAssertEqual(project.builds, ["worker"])
        let status = try await master.stop()
        XCTAssertEqual(status, 0)
    }
}
