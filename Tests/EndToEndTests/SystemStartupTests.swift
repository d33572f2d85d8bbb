import PostgresTestSupport
import ServiceTestSupport
import XCTest

/// The three services as real processes wired together on loopback, against a real
/// PostgreSQL: all become ready, and all stop cleanly on SIGTERM.
final class SystemStartupTests: XCTestCase {
    func testAllServicesBecomeReadyAndDrainOnSIGTERM() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.createDatabase()
        let databaseURL = "postgres://\(cluster.username):\(cluster.password)@\(cluster.host):\(cluster.port)/\(database)?sslmode=disable"
        let dataPort = try freePort()
        let workerPort = try freePort()

        let data = try ServiceProcess(
            "data", arguments: ["--rpc-listen", "127.0.0.1:\(dataPort)"], environment: ["DATABASE_URL": databaseURL])
        try await data.waitForAdmin("/readyz", status: 200)
        let worker = try ServiceProcess(
            "worker", arguments: ["--rpc-listen", "127.0.0.1:\(workerPort)"], environment: ["DATA_TARGET": "127.0.0.1:\(dataPort)"])
        try await worker.waitForAdmin("/readyz", status: 200)
        let edge = try ServiceProcess("edge", arguments: ["--worker-target", "127.0.0.1:\(workerPort)"])
        try await edge.waitForAdmin("/readyz", status: 200)

        for (name, process) in [("edge", edge), ("worker", worker), ("data", data)] {
            let status = try await process.stop(signal: SIGTERM)
            XCTAssertEqual(status, 0, "\(name) exit status; stderr: \(process.standardError)")
        }
    }
}
