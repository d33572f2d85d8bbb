import EdgeService
import RPC
import ServiceKit
import ServiceTestSupport
import XCTest

final class EdgeConfigurationTests: XCTestCase {
    func testWorkerTargetDefaultsToDNSAndAcceptsEveryForm() throws {
        var reader = ConfigReader(arguments: [], environment: [:])
        XCTAssertEqual(EdgeService.configure(&reader).workerTarget, .dns(.init(host: "worker", port: 7101)))
        for text in ["127.0.0.1:7101,127.0.0.1:7201", "unix:/run/worker.sock", "dns://worker.local:7101"] {
            var reader = ConfigReader(arguments: ["--worker-target", text], environment: [:])
            XCTAssertEqual(EdgeService.configure(&reader).workerTarget.description, text)
            XCTAssertNoThrow(try reader.finish())
        }
    }

    func testBadWorkerTargetIsAConfigurationError() {
        var reader = ConfigReader(arguments: [], environment: ["WORKER_TARGET": "worker"])
        _ = EdgeService.configure(&reader)
        XCTAssertThrowsError(try reader.finish()) { error in
            XCTAssertTrue("\(error)".contains("--worker-target"), "\(error)")
        }
    }

    func testEdgeProcessBecomesReadyAndDrainsOnSIGINT() async throws {
        let edge = try ServiceProcess("edge", arguments: ["--worker-target", "127.0.0.1:1", "--drain-timeout", "3s"])
        try await edge.waitForAdmin("/healthz", status: 200)
        try await edge.waitForAdmin("/readyz", status: 200)
        let status = try await edge.stop(signal: SIGINT)
        XCTAssertEqual(status, 0, edge.standardError)
    }
}
