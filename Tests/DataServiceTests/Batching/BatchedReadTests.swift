import MicropostsModels
import PostgresData
import RPC
import XCTest

@testable import DataService

/// The batched point reads through the RPC and PostgreSQL.
final class BatchedReadTests: XCTestCase {
    /// Through the RPC and PostgreSQL: many concurrent reads, some of the wrong author or of
    /// missing rows, each gets its own right answer.
    func testConcurrentGetsThroughTheServiceAnswerEachCallerCorrectly() async throws {
        try await withDataService(configure: { $0.batches = BatchSettings(maximumBatchSize: 16, maximumConcurrentBatches: 1) }) { service in
            try await service.register("ana", "ben")
            var posts: [Micropost] = []
            for index in 0..<20 { posts.append(try await service.post(index.isMultiple(of: 2) ? "ana" : "ben", "post \(index)")) }
            let missing = (posts.map(\.id).max() ?? 0) + 1000
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<10 {
                    for post in posts {
                        group.addTask {
                            let fetched = try await service.call(.getMicropost, GetMicropostRequest(username: post.author, id: post.id))
                            XCTAssertEqual(fetched, post)
                        }
                        group.addTask {
                            let other = post.author == "ana" ? "ben" : "ana"
                            await assertRPCError(.notFound) {
                                _ = try await service.call(.getMicropost, GetMicropostRequest(username: other, id: post.id))
                            }
                        }
                    }
                    group.addTask {
                        await assertRPCError(.notFound) {
                            _ = try await service.call(.getMicropost, GetMicropostRequest(username: "ana", id: missing + Int64(round)))
                        }
                    }
                    group.addTask {
                        let user = try await service.call(.getUser, GetUserRequest(username: round.isMultiple(of: 2) ? "ana" : "ben"))
                        XCTAssertEqual(user.username, round.isMultiple(of: 2) ? "ana" : "ben")
                    }
                    group.addTask {
                        await assertRPCError(.notFound) { _ = try await service.call(.getUser, GetUserRequest(username: "nobody")) }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
