import NIOCore
import PostgresNIO
import XCTest

@testable import DataService

/// A lease skips setting `statement_timeout` when the connection already has the service's
/// cap; a connection tightened for a short deadline must not keep that limit for the next call.
final class StatementLimitTests: XCTestCase {
    func testTightenedConnectionIsResetOnItsNextLease() async throws {
        let harness = try await DataServiceHarness.start { $0.database.maximumConnections = 1 }
        defer { Task { await harness.stop() } }
        let database = harness.components.database

        func currentLimit(deadline: NIODeadline?) async throws -> String {
            try await database.withConnection(database.budget(deadline: deadline), logger: quietLogger) { connection in
                let rows = try await connection.query("SHOW statement_timeout", logger: quietLogger)
                var value = ""
                for try await (setting) in rows.decode(String.self) { value = setting }
                return value
            }
        }

        let capped = try await currentLimit(deadline: nil)
        XCTAssertEqual(capped, "5s", "opened with the cap as a startup parameter")
        let tight = try await currentLimit(deadline: .now() + .milliseconds(900))
        XCTAssertTrue(tight.hasSuffix("ms"), "a short deadline tightens the limit, got \(tight)")
        let afterwards = try await currentLimit(deadline: .now() + .seconds(60))
        XCTAssertEqual(afterwards, "5s", "the next lease of the same connection restores the cap")
    }
}
