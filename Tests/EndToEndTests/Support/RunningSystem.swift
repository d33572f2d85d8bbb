import AppServerProtocol
import Foundation
import PostgresTestSupport
import ServiceTestSupport
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real `data` service on a fresh database (or in memory) and `workerCount` real `worker`
/// processes sharing one JWT secret, each also serving plain HTTP (`--http`). Every RPC hop is
/// authenticated with `rpcSecret`, as deployments run them.
final class RunningSystem: @unchecked Sendable {
    static let secret = "end-to-end-secret-of-at-least-32-bytes!"
    static let rpcSecret = "end-to-end-rpc-secret-of-at-least-32-bytes"
    /// Where nothing listens: a data service that tried to reach it would never be ready.
    static let unreachableDatabase = "postgres://nobody@127.0.0.1:1/nothing?sslmode=disable"

    /// Where the data service keeps its data.
    enum DataStore {
        case postgres
        /// `data --in-memory`: no PostgreSQL is started, and `DATABASE_URL` leads nowhere.
        case inMemory
    }

    let data: ServiceProcess
    let dataRPCPort: Int
    let workers: [ServiceProcess]
    let workerHTTPPorts: [Int]
    let workerRPCPorts: [Int]

    init(workerCount: Int = 1, store: DataStore = .postgres, dataArguments: [String] = [], workerArguments: [String] = []) async throws {
        let url: String
        var storeArguments: [String] = []
        switch store {
        case .postgres:
            let cluster = try await PostgresTestCluster.shared()
            let database = try await cluster.createDatabase()
            url = "postgres://\(cluster.username):\(cluster.password)@\(cluster.host):\(cluster.port)/\(database)?sslmode=disable"
        case .inMemory:
            url = Self.unreachableDatabase
            storeArguments = ["--in-memory"]
        }
        let dataPort = try freePort()
        dataRPCPort = dataPort
        // The fewest hash iterations the data service allows: the tests log in often.
        data = try ServiceProcess(
            "data",
            arguments: ["--rpc-listen", "127.0.0.1:\(dataPort)", "--password-hash-iterations", "210000"] + storeArguments + dataArguments,
            environment: ["DATABASE_URL": url, "RPC_SECRET": Self.rpcSecret])
        try await data.waitForAdmin("/readyz", status: 200)
        var workers: [ServiceProcess] = []
        var httpPorts: [Int] = []
        var rpcPorts: [Int] = []
        for _ in 0..<workerCount {
            let http = try freePort()
            let rpc = try freePort()
            let worker = try ServiceProcess(
                "worker",
                arguments: ["--rpc-listen", "127.0.0.1:\(rpc)", "--http", "127.0.0.1:\(http)", "--data-target", "127.0.0.1:\(dataPort)"]
                    + workerArguments,
                environment: ["JWT_SECRET": Self.secret, "RPC_SECRET": Self.rpcSecret])
            try await worker.waitForAdmin("/readyz", status: 200)
            workers.append(worker)
            httpPorts.append(http)
            rpcPorts.append(rpc)
        }
        self.workers = workers
        workerHTTPPorts = httpPorts
        workerRPCPorts = rpcPorts
        try await waitUntilServing()
    }

    /// The worker connects to the data service in the background; wait until a call goes through.
    private func waitUntilServing() async throws {
        let until = ContinuousClock.now + .seconds(10)
        for worker in 0..<workers.count {
            while try await request("GET", "/api/users/nobody", worker: worker).status == 503, ContinuousClock.now < until {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    func stop() async throws {
        for process in workers + [data] {
            let status = try await process.stop(signal: SIGTERM)
            XCTAssertEqual(status, 0, process.standardError)
        }
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data

        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
        var result: [[String: Any]] { object["result"] as? [[String: Any]] ?? [] }
        var errorCode: String? { object["error"] as? String }
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    /// One HTTP request to a worker's plain HTTP listener.
    func request(
        _ method: String, _ target: String, json: String? = nil, token: String? = nil, headers: [String: String] = [:], worker: Int = 0
    ) async throws -> Reply {
        guard let url = URL(string: "http://127.0.0.1:\(workerHTTPPorts[worker])\(target)") else { throw URLError(.badURL) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (body, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
        return Reply(status: http.statusCode, headers: fields, body: body)
    }

    func register(_ username: String, worker: Int = 0) async throws -> Reply {
        try await request("POST", "/api/users", json: #"{"username":"\#(username)","password":"password123"}"#, worker: worker)
    }

    func login(_ username: String, worker: Int = 0) async throws -> String {
        let reply = try await request(
            "POST", "/api/token", json: #"{"grant_type":"client_credentials","client_id":"\#(username)","client_secret":"password123"}"#,
            worker: worker)
        XCTAssertEqual(reply.status, 200, reply.text)
        return try XCTUnwrap(reply.object["access_token"] as? String)
    }

    func user(_ username: String) async throws -> String {
        let registered = try await register(username)
        XCTAssertEqual(registered.status, 201, registered.text)
        return try await login(username)
    }
}

func assertStatus(_ expected: Int, _ reply: RunningSystem.Reply, _ message: String = "", file: StaticString = #filePath, line: UInt = #line)
{
    XCTAssertEqual(reply.status, expected, "\(message) \(reply.text)", file: file, line: line)
}
