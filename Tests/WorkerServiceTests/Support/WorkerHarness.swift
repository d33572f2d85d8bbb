import AppServer
import AppServerProtocol
import Foundation
import Logging
import MicropostsInMemoryData
import MicropostsModels
import NIOConcurrencyHelpers
import NIOCore
import RPC
import ServiceKit
import XCTest

@testable import WorkerService

/// A worker's request-serving parts in-process, calling a ``FakeDataService`` over the RPC's
/// in-process transport (the codec, metadata, deadlines and cancellation of a real call, without
/// a socket). Requests enter exactly as the edge sends them: as an HTTP envelope.
///
/// The data's time of day is the harness's clock, so revocations end when the worker's
/// tokens do.
final class WorkerHarness: Sendable {
    static let secret = "test-secret-that-is-at-least-32-bytes-long"

    let clock: TestWallClock
    let fake: FakeDataService
    let components: WorkerComponents
    let envelopes: EnvelopeResponder
    let configuration: WorkerConfiguration
    private let server: RPCServer
    let client: RPCClient
    private let tasks: [Task<Void, any Error>]

    /// The per-address throttles are off unless `arguments` turn them on: most tests send
    /// everything from one address.
    init(
        secret: String = WorkerHarness.secret, tokenLifetime: Duration = .seconds(86_400), arguments: [String] = [],
        data: InMemoryDataSettings = InMemoryDataSettings()
    ) async throws {
        let logger = Logger(label: "test")
        let clock = TestWallClock()
        self.clock = clock
        fake = FakeDataService(settings: data) { clock.now() }
        let fake = fake
        let transport = InProcessTransport(logger: logger)
        server = RPCServer(transport: transport.server, router: fake.makeRouter(), serviceName: "data", interceptors: [fake.interceptor])
        let server = server
        let serverTask = Task { try await server.run() }
        client = RPCClient(transport: transport.client, logger: logger)
        let client = client
        tasks = [serverTask, Task { try await client.run() }]

        var reader = ConfigReader(
            arguments: [
                "--jwt-secret", secret, "--token-lifetime", "\(tokenLifetime.components.seconds)s",
                "--login-attempts-per-address", "0", "--registrations-per-address", "0",
            ] + arguments,
            environment: [:])
        configuration = WorkerService.configure(&reader)
        try reader.finish()
        components = WorkerComponents(configuration: configuration, dataClient: client, clock: clock.wallClock)
        envelopes = EnvelopeResponder(responder: components.responder)
        let until = ContinuousClock.now + .seconds(5)
        while client.readyConnectionCount == 0, ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func shutdown() {
        for task in tasks { task.cancel() }
    }

    /// Another worker beside this one: the same configuration, data service and clock, but its
    /// own caches — what a request balanced to a different worker meets.
    func anotherWorker() -> EnvelopeResponder {
        EnvelopeResponder(responder: WorkerComponents(configuration: configuration, dataClient: client, clock: clock.wallClock).responder)
    }

    /// Sends one request the way the edge would; `json` sets the body and its Content-Type.
    func send(
        _ method: String, _ target: String, json: String? = nil, body: [UInt8]? = nil, token: String? = nil,
        headers: [(String, String)] = [], host: String = "api.example.com", port: Int = 443, scheme: String = "https",
        metadata: RPCMetadata = ["request-id": "req-1"], deadline: NIODeadline? = .now() + .seconds(10),
        clientAddress: String = "203.0.113.9", via worker: EnvelopeResponder? = nil
    ) async -> TestResponse {
        var fields = headers.map { HTTPHeaderField(name: $0.0, value: $0.1) }
        if json != nil, !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            fields.append(HTTPHeaderField(name: "Content-Type", value: "application/json"))
        }
        if let token { fields.append(HTTPHeaderField(name: "Authorization", value: "Bearer \(token)")) }
        let envelope = HTTPEnvelopeRequest(
            method: method, target: target, headers: fields, body: body ?? Array((json ?? "").utf8),
            clientAddress: clientAddress, scheme: scheme, host: host, port: port)
        let context = RPCCallContext(
            method: "worker.http", callID: 1, metadata: metadata, deadline: deadline, remoteAddress: nil, logger: Logger(label: "test"))
        return TestResponse(await (worker ?? envelopes).respond(to: envelope, call: context))
    }

    // MARK: Conveniences

    @discardableResult
    func register(_ username: String, password: String = "password123") async -> TestResponse {
        await send("POST", "/api/users", json: #"{"username":"\#(username)","password":"\#(password)"}"#)
    }

    func login(_ username: String, password: String = "password123") async throws -> String {
        let response = await send(
            "POST", "/api/token", json: #"{"grant_type":"client_credentials","client_id":"\#(username)","client_secret":"\#(password)"}"#)
        XCTAssertEqual(response.status, 200, response.text)
        return try XCTUnwrap(response.object["access_token"] as? String)
    }

    /// Registers and logs in.
    func user(_ username: String) async throws -> String {
        await register(username)
        return try await login(username)
    }

    func post(_ token: String, as username: String, _ text: String) async -> TestResponse {
        await send("POST", "/api/users/\(username)/collection", json: #"{"text":"\#(text)"}"#, token: token)
    }
}

/// The real time of day moved by whatever tests add: tokens are issued and checked against
/// it, so a test can stand just before or after an expiry without waiting for it.
final class TestWallClock: Sendable {
    private let offset = NIOLockedValueBox<TimeInterval>(0)

    func now() -> Date { Date().addingTimeInterval(offset.withLockedValue { $0 }) }

    func advance(by seconds: TimeInterval) {
        offset.withLockedValue { $0 += seconds }
    }

    /// Moves the clock to `date` (from there on it runs on with real time).
    func set(to date: Date) {
        offset.withLockedValue { $0 = date.timeIntervalSince(Date()) }
    }

    var wallClock: WallClock { WallClock { [self] in now() } }
}

struct TestResponse {
    let status: Int
    let headers: [HTTPHeaderField]
    let body: [UInt8]

    init(_ envelope: HTTPEnvelopeResponse) {
        status = envelope.status
        headers = envelope.headers
        body = Array(envelope.body.readableBytesView)
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }

    var object: [String: Any] { json as? [String: Any] ?? [:] }

    var errorCode: String? { object["error"] as? String }

    var result: [[String: Any]] { object["result"] as? [[String: Any]] ?? [] }
}

func assertStatus(_ expected: Int, _ response: TestResponse, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(response.status, expected, response.text, file: file, line: line)
}
