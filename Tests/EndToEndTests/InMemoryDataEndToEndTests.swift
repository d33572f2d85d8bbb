import Foundation
import Logging
import RPC
import ServiceTestSupport
import XCTest

/// Every API end-to-end test again, with `data --in-memory` in place of PostgreSQL: the
/// in-memory data answers the worker as the real one does.
final class InMemoryAPIEndToEndTests: APIEndToEndTests {
    override class var store: RunningSystem.DataStore { .inMemory }

    // Test discovery on Linux lists only a class's own methods, so each inherited test is named again.
    override func testUsersTokensAndMicropostsWithOwnership() async throws { try await super.testUsersTokensAndMicropostsWithOwnership() }
    override func testPagination() async throws { try await super.testPagination() }
    override func testFollowTimelineAndSearch() async throws { try await super.testFollowTimelineAndSearch() }
    override func testLogoutIsSeenByASecondWorkerWithinOneSecond() async throws {
        try await super.testLogoutIsSeenByASecondWorkerWithinOneSecond()
    }
}

/// `data --in-memory` as a process: a worker is developed against it with no PostgreSQL.
final class InMemoryDataProcessTests: XCTestCase {
    func testAWorkerServesTheAPIWithNoDatabaseAndTheDataServiceWarnsNothingPersists() async throws {
        let system = try await RunningSystem(store: .inMemory)
        let ana = try await system.user("ana")
        let bob = try await system.user("bob")
        for text in ["first", "second", "third"] {
            assertStatus(201, try await system.request("POST", "/api/users/bob/collection", json: #"{"text":"\#(text)"}"#, token: bob))
        }
        let page = try await system.request("GET", "/api/users/bob/collection?size=2", token: ana)
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertEqual(page.result.map { $0["text"] as? String }, ["third", "second"])
        XCTAssertNotNil(page.object["next"] as? String)
        assertStatus(201, try await system.request("POST", "/api/users/ana/following", json: #"{"username":"bob"}"#, token: ana))
        let timeline = try await system.request("GET", "/api/users/ana/timeline?size=1&page=3", token: ana)
        XCTAssertEqual(timeline.result.map { $0["text"] as? String }, ["first"])
        XCTAssertTrue(timeline.object["next"] is NSNull)

        let status = try await system.data.stop(signal: SIGTERM)
        XCTAssertEqual(status, 0)
        let log = system.data.standardOutput
        XCTAssertTrue(log.contains("nothing is persisted"), log)
        XCTAssertFalse(log.contains("migrat"), log)
        for worker in system.workers { _ = try await worker.stop(signal: SIGTERM) }
    }

    /// `IN_MEMORY=true` as well as the flag; ready as soon as it listens, whatever `DATABASE_URL` says.
    func testTheEnvironmentTurnsItOnAndItIsReadyOnceListening() async throws {
        let data = try ServiceProcess(
            "data", arguments: ["--rpc-listen", "127.0.0.1:\(try freePort())"],
            environment: ["IN_MEMORY": "true", "DATABASE_URL": RunningSystem.unreachableDatabase])
        try await data.waitForAdmin("/readyz", status: 200, timeout: .seconds(10))
        let status = try await data.stop(signal: SIGTERM)
        XCTAssertEqual(status, 0, data.standardError)
    }

    /// Every method the real data service serves, the in-memory one serves, with the same idempotency.
    func testServesExactlyTheRealServicesMethods() async throws {
        let real = try await RunningSystem(workerCount: 0, store: .postgres)
        let inMemory = try await RunningSystem(workerCount: 0, store: .inMemory)
        let realMethods = try await methods(ofDataAt: real.dataRPCPort)
        XCTAssertGreaterThan(realMethods.count, 10)
        let inMemoryMethods = try await methods(ofDataAt: inMemory.dataRPCPort)
        XCTAssertEqual(inMemoryMethods, realMethods)
        try await real.stop()
        try await inMemory.stop()
    }

    private func methods(ofDataAt port: Int) async throws -> [MethodList.Method] {
        var configuration = RPCClientConfiguration()
        configuration.secret = RPCSecret(RunningSystem.rpcSecret)
        let client = RPCClient(
            target: try RPCTarget(parsing: "127.0.0.1:\(port)"), configuration: configuration, logger: Logger(label: "test"))
        let running = Task { try await client.run() }
        defer { running.cancel() }
        return try await client.call(.methodList, MethodListRequest(), options: RPCCallOptions(timeout: .seconds(10))).methods
    }

    func testHelpDescribesTheFlag() async throws {
        let help = try await runTool("data", ["--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.contains("--in-memory"), help.stdout)
        XCTAssertTrue(help.stdout.contains("IN_MEMORY"), help.stdout)
    }
}
