import NIOCore
import ServiceLifecycle
import XCTest

@testable import RPC

final class PayloadShapeTests: XCTestCase {
    private struct Author: Codable {
        var name: String
        var karma: Int32
    }

    private enum Kind: String, Codable, CaseIterable {
        case note
        case link
    }

    private struct Post: Codable {
        var id: Int64
        var author: Author
        var tags: [String]
        var kind: Kind
        var score: Double?
        var editor: Author?
        var flags: [UInt8]
    }

    private struct Node: Codable {
        var value: Int
        var children: [Node]
    }

    func testShapesFollowTheJSONTheCodecWrites() {
        XCTAssertEqual(
            PayloadShape.of(Post.self).rendered(),
            """
            {
              "id": int64,
              "author": {
                "name": string,
                "karma": int32
              },
              "tags": [string],
              "kind": "note" | "link",
              "score": double | null,
              "editor": {
                "name": string,
                "karma": int32
              } | null,
              "flags": [uint8]
            }
            """)
        XCTAssertEqual(PayloadShape.of(String.self), .scalar("string"))
        XCTAssertEqual(PayloadShape.of([Int64].self), .array(.scalar("int64")))
        XCTAssertEqual(PayloadShape.of(HealthRequest.self).rendered(), "{}")
    }

    func testRecursiveTypesStopAtADepth() {
        let rendered = PayloadShape.of(Node.self).rendered()
        XCTAssertTrue(rendered.hasPrefix("{\n  \"value\": int,\n  \"children\": [{"), rendered)
        XCTAssertTrue(rendered.contains("…"), rendered)
    }

    /// A type that refuses neutral values says so rather than failing the server.
    func testATypeThatValidatesWhileDecodingIsUnknown() {
        struct Strict: Decodable {
            init(from decoder: any Decoder) throws {
                let text = try decoder.singleValueContainer().decode(String.self)
                guard !text.isEmpty else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "empty")) }
            }
        }
        XCTAssertEqual(PayloadShape.of(Strict.self), .scalar("unknown"))
    }

    func testDescribeAnswersForEveryMethodAndRefusesUnknownOnes() async throws {
        let transport = InProcessTransport(logger: quietLogger)
        let server = RPCServer(transport: transport.server, router: echoRouter(name: "a"), serviceName: "test")
        let client = RPCClient(transport: transport.client, logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server, client], logger: quietLogger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        try await eventually { client.readyConnectionCount == 1 }

        let echo = try await client.call(.describe, DescribeRequest(method: "test.echoOnce"))
        XCTAssertEqual(
            echo,
            MethodDescription(
                name: "test.echoOnce", isIdempotent: false, request: "{\n  \"text\": string,\n  \"sleepMilliseconds\": int\n}",
                response: "{\n  \"text\": string,\n  \"sleepMilliseconds\": int\n}"))
        let list = try await client.call(.methodList, MethodListRequest())
        for method in list.methods {
            let description = try await client.call(.describe, DescribeRequest(method: method.name))
            XCTAssertEqual(description.name, method.name)
            XCTAssertFalse(description.request.contains("unknown"), "\(method.name): \(description.request)")
        }
        await assertRPCError(.notFound) { try await client.call(.describe, DescribeRequest(method: "test.none")) }
    }
}
