import MicropostsModels
import PostgresData
import PostgresNIO
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
