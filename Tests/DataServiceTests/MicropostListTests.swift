import MicropostsModels
import PostgresData
import RPC
import XCTest

@testable import DataService

final class MicropostListTests: XCTestCase {
    func testCollectionPagesNewestFirst() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben")
            var ids: [Int64] = []
            for number in 1...7 { ids.append(try await service.post("ana", "post \(number)").id) }
            _ = try await service.post("ben", "not ana's")
            let newestFirst = Array(ids.reversed())

            func page(_ page: Int) async throws -> Page<Micropost> {
                try await service.call(.listMicroposts, UserListRequest(username: "ana", page: PageRequest(page: page, size: 3)))
            }
            let first = try await page(1)
            let middle = try await page(2)
            let last = try await page(3)
            let beyond = try await page(4)
            XCTAssertEqual(first.items.map(\.id), Array(newestFirst[0..<3]))
            XCTAssertTrue(first.hasNext)
            XCTAssertEqual(middle.items.map(\.id), Array(newestFirst[3..<6]))
            XCTAssertTrue(middle.hasNext)
            XCTAssertEqual(last.items.map(\.id), [newestFirst[6]])
            XCTAssertFalse(last.hasNext)
            XCTAssertEqual(beyond.items, [])
            XCTAssertFalse(beyond.hasNext)

            // Exactly a page's worth: no next page.
            let exact = try await service.call(.listMicroposts, UserListRequest(username: "ana", page: PageRequest(page: 1, size: 7)))
            XCTAssertEqual(exact.items.count, 7)
            XCTAssertFalse(exact.hasNext)
        }
    }

    func testConcurrentPagesOfManyUsersEachGetTheirOwn() async throws {
        // Concurrent requests share statements (CollectionPages): every caller must still get
        // exactly its own page, equal requests included, unknown users included.
        try await withDataService(configure: { $0.batches = BatchSettings(maximumBatchSize: 7, maximumConcurrentBatches: 1) }) { service in
            let users = (0..<6).map { "user\($0)" }
            for user in users { try await service.register(user) }
            var postedIDs: [String: [Int64]] = [:]
            for (index, user) in users.enumerated() {
                for number in 0..<(index + 2) { postedIDs[user, default: []].append(try await service.post(user, "\(user) \(number)").id) }
            }
            var requests: [(user: String, page: Int)] = []
            for index in 0..<60 {
                let user = index % 7 == 6 ? "ghost\(index % 2)" : users[index % 6]
                requests.append((user, index % 3 + 1))
            }
            let posted = postedIDs
            try await withThrowingTaskGroup(of: Void.self) { group in
                for request in requests {
                    group.addTask {
                        let call = UserListRequest(username: request.user, page: PageRequest(page: request.page, size: 2))
                        guard let ids = posted[request.user] else {
                            await assertRPCError(.notFound) { try await service.call(.listMicroposts, call) }
                            return
                        }
                        let page = try await service.call(.listMicroposts, call)
                        let expected = Array(ids.reversed().dropFirst((request.page - 1) * 2).prefix(2))
                        XCTAssertEqual(page.items.map(\.id), expected, "\(request)")
                        XCTAssertTrue(page.items.allSatisfy { $0.author == request.user }, "\(request)")
                        XCTAssertEqual(page.hasNext, ids.count > request.page * 2, "\(request)")
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    func testListErrors() async throws {
        try await withDataService { service in
            try await service.register("ana")
            let empty = try await service.call(.listMicroposts, UserListRequest(username: "ana"))
            XCTAssertEqual(empty, Page(items: [], hasNext: false))
            await assertRPCError(.notFound) { try await service.call(.listMicroposts, UserListRequest(username: "nobody")) }
            await assertRPCError(.notFound) { try await service.call(.timeline, UserListRequest(username: "nobody")) }
            for (request, field) in [
                (PageRequest(page: 0, size: 10), "page"), (PageRequest(page: 1, size: 0), "size"),
                (PageRequest(page: 1, size: 101), "size"), (PageRequest(page: -3, size: 10), "page"),
            ] {
                await assertRPCError(.invalidArgument, messageContains: field) {
                    try await service.call(.listMicroposts, UserListRequest(username: "ana", page: request))
                }
            }
            _ = try await service.call(.listMicroposts, UserListRequest(username: "ana", page: PageRequest(page: 1, size: 100)))
        }
    }

    func testTimelineShowsFollowedUsersOnly() async throws {
        try await withDataService { service in
            try await service.register("ana", "ben", "cy", "dee")
            _ = try await service.call(.follow, FollowRequest(username: "ana", other: "ben"))
            _ = try await service.call(.follow, FollowRequest(username: "ana", other: "cy"))
            let b1 = try await service.post("ben", "ben 1")
            _ = try await service.post("dee", "dee 1")
            let c1 = try await service.post("cy", "cy 1", referenced: "ana")
            _ = try await service.post("ana", "own post")
            let b2 = try await service.post("ben", "ben 2")

            let timeline = try await service.call(.timeline, UserListRequest(username: "ana", page: PageRequest(page: 1, size: 2)))
            XCTAssertEqual(timeline.items.map(\.id), [b2.id, c1.id])
            XCTAssertTrue(timeline.hasNext)
            XCTAssertEqual(timeline.items[1].referenced, "ana")
            let rest = try await service.call(.timeline, UserListRequest(username: "ana", page: PageRequest(page: 2, size: 2)))
            XCTAssertEqual(rest.items.map(\.id), [b1.id])
            XCTAssertFalse(rest.hasNext)
            let nobodyFollowed = try await service.call(.timeline, UserListRequest(username: "dee"))
            XCTAssertEqual(nobodyFollowed.items, [])
        }
    }

    func testSearchIsCaseInsensitiveAndFiltersByUsername() async throws {
        try await withDataService { service in
            try await service.register("ana", "anabel", "ben")
            let a = try await service.post("ana", "Swift is FUN")
            let b = try await service.post("anabel", "more swift")
            _ = try await service.post("ben", "swiftly")
            _ = try await service.post("ben", "nothing here")

            let all = try await service.call(.searchMicroposts, SearchMicropostsRequest(text: "SWIFT"))
            XCTAssertEqual(all.items.count, 3)
            XCTAssertEqual(all.items.first?.author, "ben")
            let byAna = try await service.call(.searchMicroposts, SearchMicropostsRequest(text: "swift", username: "ANA"))
            XCTAssertEqual(byAna.items.map(\.id), [b.id, a.id])
            let paged = try await service.call(
                .searchMicroposts, SearchMicropostsRequest(text: "swift", page: PageRequest(page: 1, size: 2)))
            XCTAssertTrue(paged.hasNext)
        }
    }

    /// `%`, `_` and `\` in the term match themselves, not any characters.
    func testSearchEscapesPatternCharacters() async throws {
        try await withDataService { service in
            try await service.register("ana", "a_b")
            let percent = try await service.post("ana", "100% sure")
            let underscore = try await service.post("ana", "snake_case name")
            let backslash = try await service.post("ana", #"path C:\dir\x"#)
            _ = try await service.post("ana", "100 percent sure, snakeXcase")
            _ = try await service.post("a_b", "by a_b")

            func search(_ text: String, username: String? = nil) async throws -> [Int64] {
                try await service.call(.searchMicroposts, SearchMicropostsRequest(text: text, username: username)).items.map(\.id)
            }
            assertEqual(try await search("0% "), [percent.id])
            assertEqual(try await search("e_c"), [underscore.id])
            assertEqual(try await search(#":\d"#), [backslash.id])
            assertEqual(try await search("%%%"), [])
            assertEqual(try await search("by a", username: "_").count, 1)
            assertEqual(try await search("sure", username: "_"), [])
        }
    }

    func testSearchValidation() async throws {
        try await withDataService { service in
            await assertRPCError(.invalidArgument, messageContains: "text") {
                try await service.call(.searchMicroposts, SearchMicropostsRequest(text: "ab"))
            }
            await assertRPCError(.invalidArgument, messageContains: "username") {
                try await service.call(.searchMicroposts, SearchMicropostsRequest(text: "abc", username: ""))
            }
            let none = try await service.call(.searchMicroposts, SearchMicropostsRequest(text: "abc"))
            XCTAssertEqual(none, Page(items: [], hasNext: false))
        }
    }
}
