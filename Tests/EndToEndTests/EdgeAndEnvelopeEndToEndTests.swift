import AppServerProtocol
import Foundation
import Logging
import MicropostsModels
import NIOCore
import RPC
import ServiceTestSupport
import XCTest

/// The worker reached the production way: as RPC envelopes, directly and through the edge.
final class EdgeAndEnvelopeEndToEndTests: XCTestCase {
    func testEnvelopeOverRPCUsesTheEnvelopesOriginForLinks() async throws {
        let system = try await RunningSystem()
        let target = try RPCTarget(parsing: "127.0.0.1:\(system.workerRPCPorts[0])")
        var configuration = RPCClientConfiguration()
        configuration.secret = RPCSecret(RunningSystem.rpcSecret)
        let client = RPCClient(target: target, configuration: configuration, logger: Logger(label: "test"))
        let stranger = RPCClient(target: target, logger: Logger(label: "test"))
        let running = Task { try await client.run() }
        defer { running.cancel() }
        let strangerRunning = Task { try await stranger.run() }
        defer { strangerRunning.cancel() }
        let body = Array(#"{"username":"ana","password":"password123"}"#.utf8)
        let envelope = HTTPEnvelopeRequest(
            method: "POST", target: "/api/users", headers: [HTTPHeaderField(name: "Content-Type", value: "application/json")],
            body: body, clientAddress: "198.51.100.7", scheme: "https", host: "micro.example", port: 443)
        let reply = try await client.call(
            .handleHTTP, envelope, options: RPCCallOptions(timeout: .seconds(10), metadata: ["request-id": "e2e-1"]))
        XCTAssertEqual(reply.status, 201, String(buffer: reply.body))
        XCTAssertEqual(reply.headers.first { $0.name.lowercased() == "location" }?.value, "https://micro.example/api/users/ana")
        do {
            _ = try await stranger.call(.handleHTTP, envelope, options: RPCCallOptions(timeout: .seconds(10)))
            XCTFail("a caller without the RPC secret reached the worker")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .unauthenticated, "\(error)")
        }
        try await system.stop()
    }

    func testThroughTheEdge() async throws {
        let system = try await RunningSystem()
        let edgePort = try freePort()
        let edge = try ServiceProcess(
            "edge", arguments: ["--http-listen", "127.0.0.1:\(edgePort)", "--worker-target", "127.0.0.1:\(system.workerRPCPorts[0])"],
            environment: ["RPC_SECRET": RunningSystem.rpcSecret])
        try await edge.waitForAdmin("/readyz", status: 200)
        let document = try await httpGet(port: edgePort, path: "/api/openapi.json")
        XCTAssertEqual(document.status, 200, document.body)
        XCTAssertTrue(document.body.contains(#""openapi":"3.0.3""#), document.body)
        let missing = try await httpGet(port: edgePort, path: "/api/users/ana")
        XCTAssertEqual(missing.status, 401, missing.body)
        // Front to back, as an operator would: the edge drains while its workers still run.
        let edgeStatus = try await edge.stop(signal: SIGTERM)
        XCTAssertEqual(edgeStatus, 0, edge.standardError)
        try await system.stop()
    }
}
