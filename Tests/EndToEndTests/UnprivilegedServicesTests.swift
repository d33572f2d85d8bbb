import Foundation
import ServiceTestSupport
import XCTest

/// When the suite runs as root (as in CI), the services it starts run as an ordinary account,
/// so a bug only root gets away with fails here as it would in a container. This test keeps
/// that from being dropped silently.
final class UnprivilegedServicesTests: XCTestCase {
    func testAServiceStartedByTheTestsRunsWithoutRootsPrivileges() async throws {
        try XCTSkipUnless(geteuid() == 0, "the suite does not run as root: the services run as its own user")
        try XCTSkipIf(UnprivilegedAccount.rootRequested, "\(UnprivilegedAccount.environmentVariable) asks for root")
        let account = try XCTUnwrap(try UnprivilegedAccount.forServices(), "the suite runs as root, and so would the services")
        XCTAssertNotEqual(account.uid, 0)

        let rpcPort = try freePort()
        let worker = try ServiceProcess("worker", arguments: ["--rpc-listen", "127.0.0.1:\(rpcPort)", "--drain-timeout", "5s"])
        defer { if worker.process.isRunning { worker.process.terminate() } }
        try await worker.waitForAdmin("/readyz", status: 200)
        let pid = worker.process.processIdentifier
        let credentials = try XCTUnwrap(ProcessCredentials(pid: pid))
        XCTAssertEqual(credentials.uids, Array(repeating: account.uid, count: 4))
        XCTAssertEqual(credentials.gids, Array(repeating: account.gid, count: 4))
        XCTAssertEqual(credentials.groups, [], "root's supplementary groups are not kept")
        XCTAssertEqual(credentials.effectiveCapabilities, "0000000000000000")
        // The pid the test holds is the service itself, not a wrapper in between, so the
        // tests' signals reach it.
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
        XCTAssertEqual(URL(fileURLWithPath: executable).lastPathComponent, "worker")

        let status = try await worker.stop(signal: SIGTERM)
        XCTAssertEqual(status, 0, worker.standardError)
    }
}
