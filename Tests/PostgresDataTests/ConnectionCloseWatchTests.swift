import NIOConcurrencyHelpers
import PostgresData
import PostgresNIO
import PostgresTestSupport
import RPC
import XCTest

/// Work registered on a connection is failed when the connection closes, unless it ended
/// first: what keeps a query PostgresNIO never answers from hanging its caller.
final class ConnectionCloseWatchTests: XCTestCase {
    func testClosingAConnectionAbandonsOnlyItsUnfinishedWork() async throws {
        let cluster = try await PostgresTestCluster.shared()
        try await cluster.withClient(database: try await cluster.createDatabase()) { client in
            try await client.withConnection { connection in
                let watch = ConnectionCloseWatch()
                let abandoned = NIOLockedValueBox<[String]>([])
                _ = watch.begin(on: connection) { error in
                    abandoned.withLockedValue { $0.append("open: \(error.code)") }
                }
                let finished = watch.begin(on: connection) { _ in
                    abandoned.withLockedValue { $0.append("finished") }
                }
                watch.end(finished, on: connection)
                try await connection.close()
                let until = ContinuousClock.now + .seconds(5)
                while abandoned.withLockedValue({ $0.isEmpty }), ContinuousClock.now < until {
                    try await Task.sleep(for: .milliseconds(10))
                }
                XCTAssertEqual(abandoned.withLockedValue { $0 }, ["open: unavailable"])
            }
        }
    }
}
