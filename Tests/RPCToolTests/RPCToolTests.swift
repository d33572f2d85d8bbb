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

        let list = try await runTool("rpc", ["list", target])
        XCTAssertEqual(list.status, 0, list.stderr)
        let methods = list.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(methods, methods.sorted())
        XCTAssertTrue(methods.contains("rpc.health  (idempotent)"), list.stdout)
        XCTAssertTrue(methods.contains("rpc.methods  (idempotent)"), list.stdout)
        XCTAssertTrue(methods.contains("worker.http"), list.stdout)
        XCTAssertTrue(methods.contains("rpc.describe  (idempotent)"), list.stdout)

        let describe = try await runTool("rpc", ["describe", target, "rpc.health"])
        XCTAssertEqual(describe.status, 0, describe.stderr)
        XCTAssertEqual(
            describe.stdout,
            """
            rpc.health  (idempotent)
            request: {}
            response: {
              "status": "unknown" | "serving" | "notServing",
              "service": string
            }

            """)
        let describeEnvelope = try await runTool("rpc", ["describe", target, "worker.http"])
        XCTAssertEqual(describeEnvelope.status, 0, describeEnvelope.stderr)
        XCTAssertTrue(describeEnvelope.stdout.contains(#""method": string"#), describeEnvelope.stdout)
        let describeMissing = try await runTool("rpc", ["describe", target, "no.such.method"])
        XCTAssertEqual(describeMissing.status, 1)
        XCTAssertEqual(describeMissing.stderr, "error: notFound: no method no.such.method\n")

        let call = try await runTool("rpc", ["call", target, "rpc.health", "{}", "--request-id", "abc"])
        XCTAssertEqual(call.status, 0, call.stderr)
        XCTAssertTrue(call.stdout.contains(#""status":"serving""#), call.stdout)

        let unknown = try await runTool("rpc", ["call", target, "no.such.method", "{}"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "error: unimplemented: no ready instance of \(target) serves no.such.method\n")

        let contract = try await runTool("rpc", ["contract", target])
        XCTAssertEqual(contract.status, 0, contract.stderr)
        XCTAssertTrue(
            contract.stdout.hasPrefix("method rpc.contract v1 idempotent request MethodListRequest response ContractText\n"),
            contract.stdout)
        XCTAssertTrue(
            contract.stdout.contains("method worker.http v1 request HTTPEnvelopeRequest response HTTPEnvelopeResponse\n"), contract.stdout)
        XCTAssertTrue(contract.stdout.contains("message HTTPEnvelopeRequest\n  1 method string required\n"), contract.stdout)

        let badJSON = try await runTool("rpc", ["call", target, "rpc.health", "{"])
        XCTAssertEqual(badJSON.status, 1)
        XCTAssertTrue(badJSON.stderr.hasPrefix("error: invalidArgument: cannot decode rpc.health request"), badJSON.stderr)

        let badTarget = try await runTool("rpc", ["health", "nowhere"])
        XCTAssertNotEqual(badTarget.status, 0)
        XCTAssertTrue(badTarget.stderr.contains("has no :port"), badTarget.stderr)
    }

    func testToolAuthenticatesWithTheServicesSecret() async throws {
        let secret = "rpc-tool-test-secret-0123456789abcdef"
        let rpcPort = try freePort()
        let worker = try ServiceProcess("worker", arguments: ["--rpc-listen", "127.0.0.1:\(rpcPort)"], environment: ["RPC_SECRET": secret])
        try await worker.waitForAdmin("/readyz", status: 200)
        defer { worker.process.terminate() }
        let target = "127.0.0.1:\(rpcPort)"

        let fromEnvironment = try await runTool("rpc", ["health", target], environment: ["RPC_SECRET": secret])
        XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.stderr)
        XCTAssertTrue(fromEnvironment.stdout.contains(#""status":"serving""#), fromEnvironment.stdout)

        let fromFlag = try await runTool("rpc", ["call", target, "rpc.health", "{}", "--rpc-secret", secret])
        XCTAssertEqual(fromFlag.status, 0, fromFlag.stderr)

        let without = try await runTool("rpc", ["health", target], environment: ["RPC_SECRET": ""])
        XCTAssertEqual(without.status, 1)
        XCTAssertTrue(without.stderr.hasPrefix("error: unauthenticated: "), without.stderr)
        XCTAssertTrue(without.stderr.contains("RPC_SECRET"), without.stderr)

        let wrong = try await runTool("rpc", ["health", target], environment: ["RPC_SECRET": String(secret.reversed())])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.hasPrefix("error: unauthenticated: "), wrong.stderr)

        let short = try await runTool("rpc", ["health", target, "--rpc-secret", "short"])
        XCTAssertNotEqual(short.status, 0)
        XCTAssertNotEqual(short.status, 1, "a bad secret is a usage error, not a failed call")
        XCTAssertTrue(short.stderr.contains("at least 32 bytes"), short.stderr)
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
