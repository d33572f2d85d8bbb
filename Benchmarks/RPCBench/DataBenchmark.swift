import ArgumentParser
import Foundation
import Logging
import MicropostsModels
import PostgresData
import PostgresNIO
import RPC

/// The cost of the data service layer: the same two reads through the data service's RPC and
/// straight to PostgreSQL with PostgresNIO, at the same concurrency.
struct DataBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Get one micropost and list 100, through the data service's RPC and directly with PostgresNIO.")

    @Option(help: "The data service's RPC target.")
    var target = "127.0.0.1:7102"

    @Option(name: .customLong("database-url"), help: "The same database, for the direct queries.")
    var databaseURL: String

    @Option(help: "Calls in flight.")
    var concurrency = 64

    @Option(help: "Seconds to measure each case.")
    var duration = 10.0

    @Option(help: "Seconds of warm-up before each case.")
    var warmup = 2.0

    @Option(name: .customLong("pool-size"), help: "Connections of the direct PostgresNIO pool (match the data service's --db-pool-size).")
    var poolSize = 8

    private static let username = "bench_author"

    func run() async throws {
        var logger = Logger(label: "rpc-bench")
        logger.logLevel = .warning
        let client = RPCClient(target: try RPCTarget(parsing: target), logger: logger)
        var settings = try DatabaseSettings.resolve(
            environment: ["DATABASE_URL": databaseURL], defaults: DatabaseSettings(database: "microposts", applicationName: "rpc-bench"))
        settings.maximumConnections = poolSize
        let postgres = PostgresClient(configuration: settings.clientConfiguration(), backgroundLogger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await client.run() }
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }

            let newest = try await seed(client)
            let recorder = LatencyRecorder(concurrency: concurrency, duration: duration, warmup: warmup)
            print("| path | request | calls/s | p50 (ms) | p99 (ms) |")
            print("|---|---|---:|---:|---:|")
            let get = GetMicropostRequest(username: Self.username, id: newest)
            let list = UserListRequest(username: Self.username, page: PageRequest(page: 1, size: 100))
            try await recorder.run("data service RPC", "get one micropost") { _ = try await client.call(.getMicropost, get) }
            try await recorder.run("data service RPC", "list 100 microposts") { _ = try await client.call(.listMicroposts, list) }
            try await recorder.run("PostgresNIO direct", "get one micropost") { try await Self.directGet(postgres, id: newest) }
            try await recorder.run("PostgresNIO direct", "list 100 microposts") { try await Self.directList(postgres) }
            try await recorder.run("PostgresNIO direct", "list 100 microposts as one row of arrays") {
                try await Self.directListAsArrays(postgres)
            }
        }
    }

    /// One author with at least 100 microposts; returns the newest id.
    private func seed(_ client: RPCClient) async throws -> Int64 {
        do {
            _ = try await client.call(.registerUser, RegisterUserRequest(username: Self.username, password: "bench-password-1"))
        } catch let error as RPCError where error.code == .alreadyExists {}
        let existing = try await client.call(
            .listMicroposts, UserListRequest(username: Self.username, page: PageRequest(page: 1, size: 100)))
        for index in existing.items.count..<100 {
            _ = try await client.call(
                .createMicropost,
                CreateMicropostRequest(
                    username: Self.username, text: "Benchmark micropost number \(index), long enough to look like a real one."))
        }
        let newest = try await client.call(.listMicroposts, UserListRequest(username: Self.username, page: PageRequest(page: 1, size: 1)))
        guard let id = newest.items.first?.id else { throw ValidationError("seeding failed: no micropost") }
        return id
    }

    // The statements the data service's repository runs for get one and (as one row of
    // arrays, below) list 100, so the comparison is like for like; `directList` is the row-
    // per-post form the service used before, kept to show what that choice is worth.
    private static func directGet(_ postgres: PostgresClient, id: Int64) async throws {
        let rows = try await postgres.query(
            """
            SELECT m.id, a.username, m.text, r.username, m.created_at, m.updated_at
            FROM microposts m JOIN users a ON a.id = m.author_id LEFT JOIN users r ON r.id = m.referenced_id
            WHERE m.id = \(id) AND a.username = \(username)
            """)
        for try await row in rows.decode((Int64, String, String, String?, Date, Date).self) { _ = row }
    }

    private static func directList(_ postgres: PostgresClient) async throws {
        let (limit, offset) = (101, 0)
        let rows = try await postgres.query(
            """
            WITH owner AS (SELECT id, username FROM users WHERE username = \(username))
            SELECT EXISTS (SELECT 1 FROM owner), p.id, p.author, p.text, p.referenced, p.created_at, p.updated_at
            FROM (VALUES (1)) AS one LEFT JOIN (
                SELECT m.id, owner.username AS author, m.text, r.username AS referenced, m.created_at, m.updated_at
                FROM owner JOIN microposts m ON m.author_id = owner.id LEFT JOIN users r ON r.id = m.referenced_id
                ORDER BY m.id DESC LIMIT \(limit) OFFSET \(offset)
            ) AS p ON true
            ORDER BY p.id DESC
            """)
        for try await row in rows.decode((Bool, Int64?, String?, String?, String?, Date?, Date?).self) { _ = row }
    }
}

extension DataBenchmark {
    /// One page as one row of column arrays, the shape the data service reads (CollectionPages
    /// batches several of these into one statement): PostgresNIO's cost is mostly per row.
    /// PostgresNIO cannot decode NULL inside an array, so here '' stands for no referenced
    /// user; the service reads the arrays with its own cursor, which can.
    fileprivate static func directListAsArrays(_ postgres: PostgresClient) async throws {
        let (limit, offset) = (101, 0)
        let rows = try await postgres.query(
            """
            WITH owner AS (SELECT id, username FROM users WHERE username = \(username)),
            page AS (
                SELECT m.id, m.text, COALESCE(r.username, '') AS referenced, m.created_at, m.updated_at
                FROM owner JOIN microposts m ON m.author_id = owner.id LEFT JOIN users r ON r.id = m.referenced_id
                ORDER BY m.id DESC LIMIT \(limit) OFFSET \(offset)
            )
            SELECT EXISTS (SELECT 1 FROM owner), (SELECT username FROM owner),
                array_agg(id), array_agg(text), array_agg(referenced), array_agg(created_at), array_agg(updated_at)
            FROM page
            """)
        for try await row in rows.decode((Bool, String?, [Int64]?, [String]?, [String]?, [Date]?, [Date]?).self) { _ = row }
    }
}

/// Runs one case at a fixed number of calls in flight and prints a Markdown row.
struct LatencyRecorder: Sendable {
    let concurrency: Int
    let duration: Double
    let warmup: Double

    func run(_ path: String, _ request: String, _ call: @escaping @Sendable () async throws -> Void) async throws {
        _ = try await measure(seconds: warmup, call)
        let samples = try await measure(seconds: duration, call).sorted()
        guard !samples.isEmpty else { return print("| \(path) | \(request) | 0 | - | - |") }
        func percentile(_ p: Double) -> String {
            String(format: "%.3f", Double(samples[min(samples.count - 1, Int(Double(samples.count) * p))]) / 1_000_000)
        }
        print("| \(path) | \(request) | \(Int(Double(samples.count) / duration)) | \(percentile(0.5)) | \(percentile(0.99)) |")
    }

    private func measure(seconds: Double, _ call: @escaping @Sendable () async throws -> Void) async throws -> [Int64] {
        let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        return try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var samples: [Int64] = []
                    while ContinuousClock.now < end {
                        let start = ContinuousClock.now
                        try await call()
                        let elapsed = ContinuousClock.now - start
                        samples.append(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
                    }
                    return samples
                }
            }
            var all: [Int64] = []
            for try await samples in group { all.append(contentsOf: samples) }
            return all
        }
    }
}
