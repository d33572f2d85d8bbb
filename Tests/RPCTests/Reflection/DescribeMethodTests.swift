import NIOCore
import ServiceLifecycle
import XCTest

@testable import RPC

/// `rpc.describe` over a real call: the shapes of a method's messages, for every method a
/// server serves.
final class DescribeMethodTests: XCTestCase {
    func testDescribeAnswersForEveryMethodAndRefusesUnknownOnes() async throws {
        let transport = InProcessTransport(logger: quietLogger)
        let server = RPCServer(transport: transport.server, router: echoRouter(name: "a"), serviceName: "test")
        let client = RPCClient(transport: transport.client, logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server, client], logger: quietLogger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        try await eventually { client.readyConnectionCount > 0 }

        let echo = try await client.call(.describe, DescribeRequest(method: "test.echoOnce"))
        XCTAssertEqual(
            echo,
            MethodDescription(
                name: "test.echoOnce", isIdempotent: false, request: "{\n  \"text\": string,\n  \"sleepMilliseconds\": int64\n}",
                response: "{\n  \"text\": string,\n  \"sleepMilliseconds\": int64\n}"))
        let list = try await client.call(.methodList, MethodListRequest())
        XCTAssertEqual(
            list.methods.map(\.name), ["rpc.contract", "rpc.describe", "rpc.health", "rpc.methods", "test.echo", "test.echoOnce"])
        for method in list.methods {
            let description = try await client.call(.describe, DescribeRequest(method: method.name))
            XCTAssertEqual(description.name, method.name)
            XCTAssertEqual(description.isIdempotent, method.isIdempotent, method.name)
            XCTAssertTrue(description.request.hasPrefix("{"), "\(method.name): \(description.request)")
            XCTAssertTrue(description.response.hasPrefix("{"), "\(method.name): \(description.response)")
        }
        let health = try await client.call(.describe, DescribeRequest(method: "rpc.health"))
        XCTAssertEqual(health.request, "{}")
        XCTAssertEqual(health.response, "{\n  \"status\": \"unknown\" | \"serving\" | \"notServing\",\n  \"service\": string\n}")
        await assertRPCError(.notFound) { try await client.call(.describe, DescribeRequest(method: "test.none")) }
    }
}
