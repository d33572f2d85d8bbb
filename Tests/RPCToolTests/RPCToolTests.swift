import ServiceTestSupport
import XCTest

/// The `rpc` command-line client against a real worker process.
final class RPCToolTests: XCTestCase {
    func testHealthCallAndErrorsAgainstARunningService() async throws {
        let rpcPort = try freePort()
        let worker = try ServiceProcess("worker", arguments: ["--rpc-listen", "127.0.0.1:\(rpcPort)"])
        try await worker.waitForAdmin("/readyz", status: 200)
        defer { worker.process.terminate() }
        let target = "127.0.0.1:\(rpcPort)"

        let health = try await runTool("rpc", ["health", target])
        XCTAssertEqual(health.status, 0, health.stderr)
        XCTAssertEqual(health.stdout.trimmingCharacters(in: .whitespacesAndNewlines), #"{"service":"worker","status":"serving"}"#)

        let call = try await runTool("rpc", ["call", target, "rpc.health", "{}", "--request-id", "abc"])
        XCTAssertEqual(call.status, 0, call.stderr)
        XCTAssertTrue(call.stdout.contains(#""status":"serving""#), call.stdout)

        let unknown = try await runTool("rpc", ["call", target, "no.such.method", "{}"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "error: unimplemented: unknown method no.such.method\n")

        let badJSON = try await runTool("rpc", ["call", target, "rpc.health", "{"])
        XCTAssertEqual(badJSON.status, 1)
        XCTAssertTrue(badJSON.stderr.hasPrefix("error: invalidArgument: cannot decode rpc.health request"), badJSON.stderr)

        let badTarget = try await runTool("rpc", ["health", "nowhere"])
        XCTAssertNotEqual(badTarget.status, 0)
        XCTAssertTrue(badTarget.stderr.contains("has no :port"), badTarget.stderr)
    }

    func testUnreachableServiceFailsFastWithUnavailable() async throws {
        let port = try freePort()
        let started = ContinuousClock.now
        let result = try await runTool("rpc", ["health", "127.0.0.1:\(port)", "--timeout", "10s"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("error: unavailable: no reachable server"), result.stderr)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
    }
}
