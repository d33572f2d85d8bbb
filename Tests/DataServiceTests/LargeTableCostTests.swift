import MicropostsModels
import NIOConcurrencyHelpers
import PostgresData
import PostgresNIO
import RPC
import XCTest

@testable import DataService

/// On a table large enough for a bad query to hurt (200 000 microposts), one user can neither
/// run pages at any depth nor take the pool with searches the trigram index cannot narrow.
final class LargeTableCostTests: XCTestCase {
    static let rows = 200_000
    /// Contains no trigram (pg_trgm keeps only letters and digits), so the index cannot
    /// narrow it, and matches nothing, so every search reads the whole table.
    static let unindexable = "!#!"

    func testOneUserCannotTakeThePool() async throws {
        // Four connections: by default two may run expensive calls, two stay for the rest.
        try await withDataService(configure: { $0.database.maximumConnections = 4 }) { service in
            let heavy = ["heavy1", "heavy2", "heavy3", "heavy4"]
            for user in heavy + ["reader"] { try await service.register(user) }
            let readable = try await service.post("reader", "a post to read back")
            try await service.withDirectClient { client in
                _ = try await client.query(
                    """
                    INSERT INTO microposts (author_id, text)
                    SELECT u.id, 'post ' || g || ' ' || repeat(md5(g::text), 7)
                    FROM users u CROSS JOIN generate_series(1, \(Self.rows)) AS g
                    WHERE u.username = 'heavy1'
                    """
                ).collect()
                _ = try await client.query("ANALYZE microposts").collect()
            }

            try await deepPagesAreRefusedBeforeAnySQL(service)
            try await aBurstByOneUserIsCutToItsLimit(service)
            try await pointReadsSurviveAFloodOfSearches(service, read: readable)
        }
    }

    /// `page × size` beyond the window fails at once, whatever the list; the deepest page
    /// inside it is still served.
    private func deepPagesAreRefusedBeforeAnySQL(_ service: DataServiceHarness) async throws {
        let deep = PageRequest(page: 1_000_000, size: 100)  // OFFSET 99 999 900
        let started = ContinuousClock.now
        await assertRPCError(.invalidArgument, messageContains: "at most 10000") {
            try await service.call(.searchMicroposts, SearchMicropostsRequest(text: "post", page: deep))
        }
        await assertRPCError(.invalidArgument, messageContains: "at most 10000") {
            try await service.call(.listMicroposts, UserListRequest(username: "heavy1", page: PageRequest(page: 101, size: 100)))
        }
        await assertRPCError(.invalidArgument, messageContains: "at most 10000") {
            try await service.call(.timeline, UserListRequest(username: "heavy1", page: deep))
        }
        await assertRPCError(.invalidArgument, messageContains: "at most 10000") {
            try await service.call(.followers, UserListRequest(username: "heavy1", page: deep))
        }
        let refusing = ContinuousClock.now - started
        XCTAssertLessThan(refusing, .milliseconds(500), "four refusals took \(refusing)")

        let deepest = try await service.call(
            .listMicroposts, UserListRequest(username: "heavy1", page: PageRequest(page: 100, size: 100)))
        XCTAssertEqual(deepest.items.count, 100)
        XCTAssertTrue(deepest.hasNext)
    }

    /// Six concurrent searches by one user: two run, the rest are refused at once.
    private func aBurstByOneUserIsCutToItsLimit(_ service: DataServiceHarness) async throws {
        let one = ContinuousClock.now
        _ = try await Self.search(service, as: "heavy2")
        print("one unindexable search over \(Self.rows) rows took \(ContinuousClock.now - one)")

        let outcomes = await withTaskGroup(of: (RPCStatusCode, Duration).self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let started = ContinuousClock.now
                    do {
                        _ = try await Self.search(service, as: "heavy1")
                        return (.ok, ContinuousClock.now - started)
                    } catch let error as RPCError {
                        return (error.code, ContinuousClock.now - started)
                    } catch {
                        return (.internal, ContinuousClock.now - started)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let refused = outcomes.filter { $0.0 == .resourceExhausted }
        XCTAssertGreaterThanOrEqual(refused.count, 3, "\(outcomes)")
        XCTAssertGreaterThanOrEqual(outcomes.filter { $0.0 == .ok }.count, 1, "\(outcomes)")
        XCTAssertEqual(outcomes.filter { $0.0 != .ok && $0.0 != .resourceExhausted }.count, 0, "\(outcomes)")
        for (_, took) in refused { XCTAssertLessThan(took, .milliseconds(300), "a refusal took \(took)") }
        XCTAssertEqual(service.components.expensiveCalls.running, 0)
    }

    /// Sixteen searches at a time from four users for three seconds, while another user reads
    /// one post every 100 ms with a one-second deadline: every read succeeds in time.
    private func pointReadsSurviveAFloodOfSearches(_ service: DataServiceHarness, read post: Micropost) async throws {
        let flooding = FloodRecord()
        await withTaskGroup(of: Void.self) { group in
            for user in ["heavy1", "heavy2", "heavy3", "heavy4"] {
                for _ in 0..<4 {
                    group.addTask {
                        while flooding.isFlooding {
                            do { _ = try await Self.search(service, as: user) } catch {
                                try? await Task.sleep(for: .milliseconds(20))
                            }
                        }
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(300))
                let until = ContinuousClock.now + .seconds(3)
                while ContinuousClock.now < until {
                    let started = ContinuousClock.now
                    do {
                        let got = try await service.call(
                            .getMicropost, GetMicropostRequest(username: "reader", id: post.id), timeout: .seconds(1))
                        if got.id != post.id { throw RPCError.internal("read \(got.id) for \(post.id)") }
                        flooding.state.withLockedValue { $0.reads.append(ContinuousClock.now - started) }
                    } catch {
                        flooding.state.withLockedValue { $0.failures.append("\(error) after \(ContinuousClock.now - started)") }
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                flooding.state.withLockedValue { $0.flooding = false }
            }
        }
        let (times, failed) = flooding.state.withLockedValue { ($0.reads, $0.failures) }
        print("point reads during the flood: \(times.count), slowest \(times.max() ?? .zero); failed: \(failed.count)")
        XCTAssertEqual(failed, [], "point reads failed while one group of users flooded searches")
        XCTAssertGreaterThanOrEqual(times.count, 10)
        XCTAssertEqual(service.components.expensiveCalls.running, 0)
    }

    /// An unindexable search as `user`, which the data service counts it against.
    private static func search(_ service: DataServiceHarness, as user: String) async throws -> Page<Micropost> {
        var metadata = RPCMetadata()
        metadata.caller = user
        return try await service.client.call(
            .searchMicroposts, SearchMicropostsRequest(text: Self.unindexable),
            options: RPCCallOptions(timeout: .seconds(10), metadata: metadata))
    }
}

/// What the readers saw while the searches flooded, and whether they still flood.
private final class FloodRecord: Sendable {
    struct State {
        var flooding = true
        var reads: [Duration] = []
        var failures: [String] = []
    }

    let state = NIOLockedValueBox(State())
    var isFlooding: Bool { state.withLockedValue { $0.flooding } }
}
