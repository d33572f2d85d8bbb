import MicropostsModels
import PostgresData
import PostgresTestSupport
import RPC
import ServiceKit
import XCTest

@testable import DataService

/// The database stops and comes back while the service runs: readiness follows it, calls fail
/// fast with `unavailable` meanwhile, and everything recovers without a restart.
final class DatabaseOutageTests: XCTestCase {
    func testServiceSurvivesTheDatabaseStoppingAndStarting() async throws {
        let cluster = try await PostgresTestCluster.start()
        do {
            try await withDataService(cluster: cluster, configure: { $0.database.connectTimeout = .milliseconds(500) }) { service in
                try await service.register("ana")

                try await cluster.stopServer()
                try await service.waitUntil(ready: false, timeout: .seconds(5))
                let started = ContinuousClock.now
                await assertRPCError(.unavailable) {
                    try await service.call(.getUser, GetUserRequest(username: "ana"), timeout: .seconds(5))
                }
                XCTAssertLessThan(ContinuousClock.now - started, .seconds(1), "calls must fail fast while the database is down")
                let health = try await service.call(.health, HealthRequest())
                XCTAssertEqual(health.status, .notServing)

                try await cluster.startServer()
                try await service.waitUntil(ready: true, timeout: .seconds(20))
                let user = try await service.call(.getUser, GetUserRequest(username: "ana"))
                XCTAssertEqual(user.username, "ana")
            }
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }

    /// Started while the database is down: not ready, calls unavailable, then migrates and serves once it is up.
    func testServiceStartsWithoutTheDatabaseAndCatchesUp() async throws {
        let cluster = try await PostgresTestCluster.start()
        do {
            let database = try await cluster.createDatabase()
            try await cluster.stopServer()
            let harness = try await DataServiceHarness.start(cluster: cluster, database: database, waitForReadiness: false) {
                $0.database.connectTimeout = .milliseconds(500)
            }
            do {
                try await Task.sleep(for: .milliseconds(500))
                XCTAssertFalse(harness.readiness.isReady)
                await assertRPCError(.unavailable) {
                    try await harness.call(.getUser, GetUserRequest(username: "ana"), timeout: .seconds(5))
                }
                try await cluster.startServer()
                try await harness.waitUntil(ready: true, timeout: .seconds(20))
                try await harness.register("ana")
            } catch {
                await harness.stop()
                throw error
            }
            await harness.stop()
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }
}
