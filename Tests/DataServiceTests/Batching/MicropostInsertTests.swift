import MicropostsModels
import PostgresData
import PostgresNIO
import PostgresTestSupport
import RPC
import XCTest

@testable import DataService

/// Creates are batched into multi-row inserts: every caller still gets its own answer.
final class MicropostInsertTests: XCTestCase {
    func testConcurrentCreatesAreEachAnsweredAndStoredOnce() async throws {
        try await withDataService(configure: { $0.batches = BatchSettings(maximumBatchSize: 16, maximumConcurrentBatches: 1) }) { service in
            try await service.register("ana", "ben")
            let outcomes = try await withThrowingTaskGroup(of: (Int, Result<Micropost, RPCError>).self) { group in
                for index in 0..<120 {
                    group.addTask {
                        let (author, referenced): (String, String?) =
                            switch index % 4 {
                            case 0: ("ana", nil)
                            case 1: ("ben", "ana")
                            case 2: ("nobody", nil)
                            default: ("ana", "ghost")
                            }
                        do {
                            return (index, .success(try await service.post(author, "post \(index)", referenced: referenced)))
                        } catch let error as RPCError {
                            return (index, .failure(error))
                        }
                    }
                }
                var outcomes: [Int: Result<Micropost, RPCError>] = [:]
                for try await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
            var created: [Micropost] = []
            for (index, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
                switch (index % 4, outcome) {
                case (0, .success(let post)), (1, .success(let post)):
                    XCTAssertEqual(post.text, "post \(index)")
                    XCTAssertEqual(post.author, index % 4 == 0 ? "ana" : "ben")
                    XCTAssertEqual(post.referenced, index % 4 == 0 ? nil : "ana")
                    created.append(post)
                case (2, .failure(let error)):
                    XCTAssertEqual(error.code, .notFound, "post \(index)")
                case (3, .failure(let error)):
                    XCTAssertEqual(error.code, .invalidArgument, "post \(index)")
                    XCTAssertTrue(error.message.contains("referenced"))
                default:
                    XCTFail("post \(index): unexpected \(outcome)")
                }
            }
            XCTAssertEqual(created.count, 60)
            XCTAssertEqual(Set(created.map(\.id)).count, 60, "each post its own id")
            for post in created.prefix(10) {
                let fetched = try await service.call(.getMicropost, GetMicropostRequest(username: post.author, id: post.id))
                XCTAssertEqual(fetched, post)
            }
            let stored = try await service.withDirectClient { client in
                try await client.query("SELECT count(*) FROM microposts").collect().first?.decode(Int.self)
            }
            XCTAssertEqual(stored, 60, "refused creates stored nothing")
        }
    }

    /// An insert stuck behind a lock (another session holds the author's row `FOR UPDATE`,
    /// which the foreign-key check waits for) delays its own batch, not every create after it:
    /// once it has run longer than the slow age, the next batch starts beside it.
    func testAnInsertStuckBehindALockDelaysOnlyItsOwnBatch() async throws {
        try await withTimeLimit {
            try await withDataService(configure: {
                $0.batches = BatchSettings(maximumBatchSize: 16, maximumConcurrentBatches: 1, slowBatchAge: .milliseconds(50))
            }) { service in
                try await service.register("ana", "ben")
                let (locked, lockedInput) = AsyncStream<Void>.makeStream()
                let (release, releaseInput) = AsyncStream<Void>.makeStream()
                let holder = Task {
                    try await service.withDirectClient { client in
                        try await client.withConnection { connection in
                            _ = try await connection.query("BEGIN", logger: quietLogger)
                            _ = try await connection.query("SELECT id FROM users WHERE username = 'ana' FOR UPDATE", logger: quietLogger)
                                .collect()
                            lockedInput.yield()
                            for await _ in release { break }
                            _ = try await connection.query("ROLLBACK", logger: quietLogger)
                        }
                    }
                }
                for await _ in locked { break }
                let stuck = Task { try await service.post("ana", "waits for the lock") }
                try await Task.sleep(for: .milliseconds(100))
                let started = ContinuousClock.now
                let beside = try await service.post("ben", "not behind it")
                XCTAssertEqual(beside.author, "ben")
                XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), "answered while ana's insert is still stuck")
                releaseInput.yield()
                let afterwards = try await stuck.value
                XCTAssertEqual(afterwards.author, "ana")
                try await holder.value
            }
        }
    }

    /// A value the validation let through but the database refuses fails the batch's
    /// statement; the batch is then inserted one by one and only that request fails.
    func testABatchWithARefusedValueIsRetriedOneByOne() async throws {
        try await withDataService { service in
            try await service.register("ana")
            let batch = [
                MicropostInserts.pending(CreateMicropostRequest(username: "ana", text: "first")),
                MicropostInserts.pending(CreateMicropostRequest(username: "ana", text: String(repeating: "x", count: 300))),
                MicropostInserts.pending(CreateMicropostRequest(username: "ana", text: "third")),
            ]
            let outcomes = try await MicropostInserts.run(batch, deadline: nil, database: service.components.database, logger: quietLogger)
            guard case .created(let first)? = outcomes[batch[0]], case .failed(let refused)? = outcomes[batch[1]],
                case .created(let third)? = outcomes[batch[2]]
            else { return XCTFail("unexpected outcomes: \(outcomes)") }
            XCTAssertEqual(first.text, "first")
            XCTAssertEqual(third.text, "third")
            XCTAssertEqual(refused.code, .invalidArgument)
        }
    }
}
