import Foundation
import ServiceTestSupport
import XCTest

/// The data service's concurrency limit, with real processes: a call it refuses is never run,
/// the worker may retry it (even a write), and what still finds no place is a 503 with
/// `Retry-After`, never a 500 or a registration applied twice.
final class OverloadEndToEndTests: XCTestCase {
    func testCallsPastTheDataServicesLimitAre503WithRetryAfterAndNeverHalfApplied() async throws {
        // One call at a time and no queue: each registration holds the data service for its
        // password hash (tens of milliseconds), so concurrent ones are refused.
        let system = try await RunningSystem(
            dataArguments: ["--db-concurrency", "1", "--db-queue", "0"],
            workerArguments: ["--registrations-per-address", "0"])
        let names = (0..<12).map { "crowd\($0)" }
        let replies = try await withThrowingTaskGroup(of: (String, RunningSystem.Reply).self) { group in
            for name in names { group.addTask { (name, try await system.register(name)) } }
            return try await group.reduce(into: [(String, RunningSystem.Reply)]()) { $0.append($1) }
        }
        let created = replies.filter { $0.1.status == 201 }.map(\.0)
        let refused = replies.filter { $0.1.status == 503 }
        XCTAssertEqual(created.count + refused.count, names.count, "only 201 or 503: \(replies.map { ($0.0, $0.1.status, $0.1.text) })")
        XCTAssertFalse(created.isEmpty, "the one place served someone")
        XCTAssertFalse(refused.isEmpty, "twelve hashes at once cannot all fit a limit of one")
        for (_, reply) in refused {
            XCTAssertEqual(reply.header("Retry-After"), "1", reply.text)
            XCTAssertEqual(reply.errorCode, "unavailable", reply.text)
        }

        let metrics = try await httpGet(port: system.data.adminPort, path: "/metrics").body
        let refusals = metrics.split(separator: "\n").first { $0.hasPrefix("data_db_refused_total{reason=\"queue_full\"}") }
        XCTAssertNotNil(refusals, metrics)
        XCTAssertNotEqual(refusals.flatMap { $0.split(separator: " ").last }, "0")

        // A refused registration was not run: retried alone, each one succeeds, once.
        for (name, _) in refused {
            let again = try await system.register(name)
            XCTAssertEqual(again.status, 201, "\(name): \(again.text)")
        }
        for name in created {
            let twice = try await system.register(name)
            XCTAssertEqual(twice.status, 409, "\(name) was created once: \(twice.text)")
        }
        try await system.stop()
    }
}
