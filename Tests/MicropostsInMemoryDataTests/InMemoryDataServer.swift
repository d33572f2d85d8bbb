import Foundation
import Logging
import MicropostsInMemoryData
import MicropostsModels
import NIOConcurrencyHelpers
import NIOCore
import RPC
import XCTest

/// An ``InMemoryData`` behind a real `RPCServer` on loopback, called through a real client, on
/// a clock the test moves.
final class InMemoryDataServer: Sendable {
    let data: InMemoryData
    let client: RPCClient
    private let offset = NIOLockedValueBox<TimeInterval>(0)
    private let tasks: [Task<Void, any Error>]

    init(settings: InMemoryDataSettings = InMemoryDataSettings()) async throws {
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let offset = offset
        data = InMemoryData(settings: settings, now: { Date().addingTimeInterval(offset.withLockedValue { $0 }) })
        let server = RPCServer(
            configuration: RPCServerConfiguration(bindTarget: .tcp(host: "127.0.0.1", port: 0)), router: data.makeRouter(),
            serviceName: "data", logger: logger)
        let serverTask = Task { try await server.run() }
        let address = try await server.localAddress()
        client = RPCClient(target: try RPCTarget(parsing: "127.0.0.1:\(address.port ?? 0)"), logger: logger)
        let client = client
        tasks = [serverTask, Task { try await client.run() }]
    }

    func shutdown() {
        for task in tasks { task.cancel() }
    }

    func advance(by seconds: TimeInterval) {
        offset.withLockedValue { $0 += seconds }
    }

    var now: Date { Date().addingTimeInterval(offset.withLockedValue { $0 }) }

    func call<Request, Response>(_ method: RPCMethod<Request, Response>, _ request: Request) async throws -> Response {
        try await client.call(method, request, options: RPCCallOptions(timeout: .seconds(10)))
    }

    /// The error `method` fails with; fails the test when it succeeds.
    func error<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request, file: StaticString = #filePath, line: UInt = #line
    ) async -> RPCError? {
        do {
            _ = try await call(method, request)
            XCTFail("\(method.name) succeeded", file: file, line: line)
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            XCTFail("\(method.name) failed with \(error)", file: file, line: line)
            return nil
        }
    }

    @discardableResult
    func register(_ username: String, password: String = "password123") async throws -> User {
        try await call(.registerUser, RegisterUserRequest(username: username, password: password))
    }

    @discardableResult
    func post(_ username: String, _ text: String, referenced: String? = nil) async throws -> Micropost {
        try await call(.createMicropost, CreateMicropostRequest(username: username, text: text, referenced: referenced))
    }
}

/// `XCTAssertEqual` whose arguments may `await`: XCTest's autoclosures here cannot.
func expectEqual<Value: Equatable>(
    _ actual: Value, _ expected: Value, _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual, expected, message, file: file, line: line)
}
