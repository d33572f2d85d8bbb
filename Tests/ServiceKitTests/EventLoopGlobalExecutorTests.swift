import ServiceTestSupport
import XCTest

/// Runs `ExecutorHopProbe`: a task on the event loops making rounds of nested nonisolated async
/// calls that suspend once per round. Returning through each level is a hop to the generic
/// executor; the kit's global executor makes those plain calls, where one that runs jobs on the
/// loop as a serial executor (SwiftNIO's takeover) enqueues the task again for each.
final class EventLoopGlobalExecutorTests: XCTestCase {
    func testHopsToTheGenericExecutorAreNotEnqueuedAgain() async throws {
        let kit = try await jobsPerRound(style: "kit")
        let serial = try await jobsPerRound(style: "serial")
        // One job per round is the resumption after the suspension; the probe nests five calls.
        XCTAssertLessThanOrEqual(kit, 1.5, "the kit's executor enqueued hops to the generic executor")
        XCTAssertGreaterThanOrEqual(serial, kit + 4, "the probe no longer shows the hops it exists to count")
    }

    private func jobsPerRound(style: String) async throws -> Double {
        let probe = productsDirectory.appendingPathComponent("ExecutorHopProbe").path
        let run = try await ToolProcess.run([probe, style], timeout: .seconds(60))
        let output = String(decoding: run.stdout, as: UTF8.self)
        XCTAssertEqual(run.status, 0, "\(style): \(run.stderr)")
        XCTAssertTrue(output.contains("on-event-loop true"), "\(style): \(output)")
        let value = output.split(whereSeparator: \.isWhitespace).last.flatMap { Double($0) }
        return try XCTUnwrap(value, "\(style): \(output)")
    }
}
