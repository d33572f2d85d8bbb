import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO
import PostgresTestSupport
import ServiceTestSupport
import Synchronization
import XCTest

// MARK: - Processes

struct FaultStackError: Error, CustomStringConvertible {
    var description: String
}

extension FaultStack {
    /// A service executable of this package run as a real child process whose output goes to a
    /// log file, never to a pipe: under fault load the services log a lot, and a full pipe that
    /// nobody reads would block them and look like a hang of the service itself.
    final class Service: @unchecked Sendable {
        let name: String
        let process = Process()
        let adminPort: Int
        let logFile: URL

        init(_ name: String, label: String, arguments: [String], environment: [String: String] = [:], logDirectory: URL) throws {
            self.name = label
            adminPort = try freePort()
            logFile = logDirectory.appendingPathComponent("\(label).log")
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            let output = try FileHandle(forWritingTo: logFile)
            defer { try? output.close() }
            try process.useServiceExecutable(name, arguments: ["--admin-host", "127.0.0.1", "--admin-port", "\(adminPort)"] + arguments)
            var env = ProcessInfo.processInfo.environment
            env.merge(environment) { $1 }
            process.environment = env
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        var isRunning: Bool { process.isRunning }

        func signal(_ signal: Int32) {
            if process.isRunning { kill(process.processIdentifier, signal) }
        }

        /// Waits (bounded) for the process to exit and returns its status; kills it if it does not.
        @discardableResult
        func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
            let until = ContinuousClock.now + timeout
            while process.isRunning {
                guard ContinuousClock.now < until else {
                    kill(process.processIdentifier, SIGKILL)
                    throw FaultStackError(description: "\(name) did not exit within \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            return process.terminationStatus
        }

        /// Polls `GET path` on the admin port until it answers `status`.
        func waitForAdmin(_ path: String = "/readyz", status: Int = 200, timeout: Duration = .seconds(20)) async throws {
            let until = ContinuousClock.now + timeout
            while ContinuousClock.now < until {
                if let answer = try? await httpGet(port: adminPort, path: path), answer.status == status { return }
                guard process.isRunning else {
                    throw FaultStackError(description: "\(name) exited (\(process.terminationStatus)):\n\(logTail())")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw FaultStackError(description: "\(name): GET \(path) never answered \(status):\n\(logTail())")
        }

        /// The last lines the process logged, for failure messages.
        func logTail(_ lines: Int = 15) -> String {
            let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        }
    }
}

// MARK: - The stack

/// The whole system on loopback for fault tests: a private PostgreSQL cluster (so it can be
/// stopped), data ×1, worker ×2 and edge ×1, each a real process on a free port. Everything is
/// stopped by ``tearDown()``, which ``start(for:)`` registers as the test's teardown block
/// before it starts anything, so a failing test leaves nothing running.
final class FaultStack: @unchecked Sendable {
    static let secret = "fault-tests-jwt-secret-of-at-least-32-bytes"
    /// The worker's deadline for a call to the data service (`--data-timeout`): the longest any
    /// request should wait on it.
    static let dataDeadline: Duration = .seconds(2)
    /// The edge's deadline for a call to a worker (`--worker-timeout`), above ``dataDeadline``.
    /// Behind the edge the worker gives its data calls the envelope's remaining deadline, not
    /// `--data-timeout`, so this is what bounds a data call that hangs.
    static let workerTimeout: Duration = .seconds(3)
    /// The data service's health-check interval and connect/lease timeout (below the deadline,
    /// so a database that cannot be reached is reported as unavailable, not as a timeout).
    static let dbHealthInterval: Duration = .milliseconds(200)
    static let dbConnectTimeout: Duration = .milliseconds(500)

    let directory: URL
    private let state = NIOLockedValueBox(State())

    private struct State {
        var cluster: PostgresTestCluster?
        var databaseURL = ""
        var dataPort = 0
        var data: Service?
        var dataGeneration = 0
        var workers: [Service] = []
        var workerPorts: [Int] = []
        var edge: Service?
        var edgePort = 0
        var stopped: [Service] = []
    }

    var cluster: PostgresTestCluster { state.withLockedValue { $0.cluster! } }
    var data: Service { state.withLockedValue { $0.data! } }
    var workers: [Service] { state.withLockedValue { $0.workers } }
    var edge: Service { state.withLockedValue { $0.edge! } }
    var edgePort: Int { state.withLockedValue { $0.edgePort } }
    var dataPort: Int { state.withLockedValue { $0.dataPort } }

    private init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("static"), withIntermediateDirectories: true)
        try Data("<h1>fault tests</h1>".utf8).write(to: directory.appendingPathComponent("static/index.html"))
        // The edge serves the static folder; the logs in it are opened here and handed over as descriptors.
        try UnprivilegedAccount.giveToServices(directory)
    }

    /// Starts everything, in order, each ready before the next, and waits until an API call
    /// that needs the database goes through the edge.
    static func start(for test: XCTestCase) async throws -> FaultStack {
        let stack = try FaultStack()
        test.addTeardownBlock { await stack.tearDown() }

        let cluster = try await PostgresTestCluster.start()
        let url = "postgres://\(cluster.username):\(cluster.password)@\(cluster.host):\(cluster.port)/\(cluster.database)?sslmode=disable"
        let dataPort = try freePort()
        stack.state.withLockedValue {
            $0.cluster = cluster
            $0.databaseURL = url
            $0.dataPort = dataPort
        }
        let data = try stack.startData()
        try await data.waitForAdmin()

        var workerPorts: [Int] = []
        for index in 0..<2 {
            let port = try freePort()
            let worker = try Service(
                "worker", label: "worker\(index)",
                arguments: [
                    "--rpc-listen", "127.0.0.1:\(port)", "--data-target", "127.0.0.1:\(dataPort)",
                    "--data-timeout", "\(ms(dataDeadline))ms", "--drain-timeout", "5s",
                ],
                environment: ["JWT_SECRET": secret], logDirectory: stack.directory)
            stack.state.withLockedValue { $0.workers.append(worker) }
            try await worker.waitForAdmin()
            workerPorts.append(port)
        }
        let edgePort = try freePort()
        let edge = try Service(
            "edge", label: "edge",
            arguments: [
                "--http-listen", "127.0.0.1:\(edgePort)",
                "--worker-target", workerPorts.map { "127.0.0.1:\($0)" }.joined(separator: ","),
                "--static-root", stack.directory.appendingPathComponent("static").path,
                "--access-log=false", "--worker-timeout", "\(ms(workerTimeout))ms", "--drain-timeout", "5s",
            ],
            logDirectory: stack.directory)
        stack.state.withLockedValue {
            $0.workerPorts = workerPorts
            $0.edge = edge
            $0.edgePort = edgePort
        }
        try await edge.waitForAdmin()
        // Workers connect to the data service in the background: wait until calls that need it
        // (a refused login asks the data service) go through, a few in a row to reach both workers.
        let until = ContinuousClock.now + .seconds(10)
        var answered = 0
        while answered < 4 {
            let reply = try? await HTTP.send(
                port: edgePort, "POST", "/api/token",
                json: #"{"grant_type":"client_credentials","client_id":"nobody","client_secret":"wrong-password"}"#)
            answered = reply?.status == 400 ? answered + 1 : 0
            guard ContinuousClock.now < until else {
                throw FaultStackError(description: "the stack never served: \(String(describing: reply))\n\(stack.logs())")
            }
            if answered == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        return stack
    }

    /// Starts a data process on the stack's data port (the first one, or a replacement).
    @discardableResult
    func startData() throws -> Service {
        let (url, port, generation) = state.withLockedValue { state in
            state.dataGeneration += 1
            return (state.databaseURL, state.dataPort, state.dataGeneration)
        }
        let data = try Service(
            "data", label: "data\(generation)",
            arguments: [
                "--rpc-listen", "127.0.0.1:\(port)", "--password-hash-iterations", "210000",
                "--db-health-interval", "\(Self.ms(Self.dbHealthInterval))ms",
                "--db-connect-timeout", "\(Self.ms(Self.dbConnectTimeout))ms",
                "--drain-timeout", "5s",
            ],
            environment: ["DATABASE_URL": url], logDirectory: directory)
        state.withLockedValue { state in
            if let old = state.data { state.stopped.append(old) }
            state.data = data
        }
        return data
    }

    /// Registers a user through the edge and logs in; returns the bearer token.
    func user(_ username: String) async throws -> String {
        let registered = try await HTTP.send(
            port: edgePort, "POST", "/api/users", json: #"{"username":"\#(username)","password":"password123"}"#)
        XCTAssertEqual(registered.status, 201, registered.body)
        let login = try await HTTP.send(
            port: edgePort, "POST", "/api/token",
            json: #"{"grant_type":"client_credentials","client_id":"\#(username)","client_secret":"password123"}"#)
        XCTAssertEqual(login.status, 200, login.body)
        let object = try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any]
        return try XCTUnwrap(object?["access_token"] as? String, login.body)
    }

    /// Every micropost text in the database, straight from PostgreSQL.
    func micropostTexts() async throws -> [String] {
        try await cluster.withClient { client in
            let rows = try await client.query("SELECT text FROM microposts ORDER BY id")
            var texts: [String] = []
            for try await text in rows.decode(String.self) { texts.append(text) }
            return texts
        }
    }

    /// The last log lines of every process, for failure messages.
    func logs() -> String {
        let processes = state.withLockedValue { $0.stopped + ($0.data.map { [$0] } ?? []) + $0.workers + ($0.edge.map { [$0] } ?? []) }
        return processes.map { "--- \($0.name)\n\($0.logTail(8))" }.joined(separator: "\n")
    }

    /// Kills every process (the tests are about faults, not about a graceful stop) and removes
    /// the private cluster and the temporary folder. Safe to call more than once.
    func tearDown() async {
        let (processes, cluster) = state.withLockedValue { state in
            let processes = (state.edge.map { [$0] } ?? []) + state.workers + (state.data.map { [$0] } ?? []) + state.stopped
            let cluster = state.cluster
            state = State()
            return (processes, cluster)
        }
        for process in processes { process.signal(SIGKILL) }
        for process in processes { _ = try? await process.waitForExit(timeout: .seconds(5)) }
        if let cluster { try? await cluster.stop() }
        if ProcessInfo.processInfo.environment["FAULT_TESTS_KEEP_LOGS"] != nil {
            print("fault test logs kept in \(directory.path)")
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

// MARK: - A raw HTTP client

extension FaultStack {
    /// One HTTP/1.1 request per connection (`Connection: close`), bounded by a timeout: enough to
    /// see every status, header and latency exactly as the edge sent it, with no client-side
    /// retries or connection reuse to hide anything.
    enum HTTP {
        struct Reply: Sendable, CustomStringConvertible {
            var status: Int
            /// Header names lowercased.
            var headers: [String: String]
            var body: String
            var description: String { "HTTP \(status) \(body.prefix(160))" }
        }

        struct Failure: Error, CustomStringConvertible {
            var description: String
        }

        static func send(
            port: Int, _ method: String, _ target: String, json: String? = nil, headers: [String: String] = [:],
            timeout: Duration = .seconds(15)
        ) async throws -> Reply {
            var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            let body = json.map { Array($0.utf8) } ?? []
            if json != nil { head += "Content-Type: application/json\r\n" }
            if json != nil || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
            head += "\r\n"
            var request = ByteBuffer(string: head)
            request.writeBytes(body)

            let collector = Collector()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(2))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
                }
                .connect(host: "127.0.0.1", port: port).get()
            let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)) {
                collector.timedOut = true
                channel.close(promise: nil)
            }
            do {
                try await channel.writeAndFlush(request)
                try await channel.closeFuture.get()
            } catch {
                timer.cancel()
                try? await channel.close()
                throw error
            }
            timer.cancel()
            let (received, timedOut) = try await channel.eventLoop.submit { (collector.received, collector.timedOut) }.get()
            if timedOut { throw Failure(description: "no complete answer within \(timeout)") }
            return try parse(received)
        }

        private static func parse(_ buffer: ByteBuffer) throws -> Reply {
            let bytes = Array(buffer.readableBytesView)
            guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
                throw Failure(description: "connection closed before a complete response head (\(bytes.count) bytes)")
            }
            let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
                throw Failure(description: "bad status line: \(head.prefix(80))")
            }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            var body = Array(bytes[end.upperBound...])
            if headers["transfer-encoding"]?.lowercased() == "chunked" {
                body = try dechunk(body)
            } else if let length = headers["content-length"].flatMap(Int.init) {
                guard body.count >= length else { throw Failure(description: "body cut short: \(body.count) of \(length) bytes") }
                body = Array(body.prefix(length))
            }
            return Reply(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
        }

        private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
            var output: [UInt8] = []
            var index = 0
            while true {
                guard let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) else { throw Failure(description: "bad chunk") }
                let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw Failure(description: "bad chunk size")
                }
                if size == 0 { return output }
                let start = lineEnd.upperBound
                guard start + size <= bytes.count else { throw Failure(description: "chunk cut short") }
                output += bytes[start..<(start + size)]
                index = start + size + 2
            }
        }

        private final class Collector: ChannelInboundHandler, @unchecked Sendable {
            typealias InboundIn = ByteBuffer
            var received = ByteBuffer()
            var timedOut = false
            func channelRead(context: ChannelHandlerContext, data: NIOAny) {
                var bytes = unwrapInboundIn(data)
                received.writeBuffer(&bytes)
            }
        }
    }
}

// MARK: - Load

extension FaultStack {
    /// What one request of the steady load got.
    struct Sample: Sendable {
        var method: String
        /// The unique micropost text of a POST.
        var text: String?
        /// Sent as `X-Request-ID`, to find the request in the services' logs.
        var requestID: String
        /// 0 when no HTTP answer came (transport error or timeout).
        var status: Int
        var retryAfter: String?
        var started: ContinuousClock.Instant
        var finished: ContinuousClock.Instant
        var detail: String

        var latency: Duration { finished - started }
        var summary: String { "\(method) \(requestID) \(status) after \(FaultStack.ms(latency)) ms: \(detail.prefix(160))" }
    }

    /// Concurrent clients sending requests through the edge, each a count-bounded loop that also
    /// ends when ``stop()`` is called; every answer is recorded.
    final class Load: Sendable {
        private let samples = NIOLockedValueBox<[Sample]>([])
        private let running = Atomic(true)
        private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

        var recorded: [Sample] { samples.withLockedValue { $0 } }

        /// Starts `clients` loops; `request(client, i)` says what the i-th request of a client is.
        static func start(
            port: Int, clients: Int = 8, maxPerClient: Int = 3000,
            request: @escaping @Sendable (_ client: Int, _ index: Int) -> (method: String, target: String, json: String?, text: String?),
            token: String
        ) -> Load {
            let load = Load()
            let work = Task {
                await withTaskGroup(of: Void.self) { group in
                    for client in 0..<clients {
                        group.addTask {
                            for index in 0..<maxPerClient {
                                guard load.running.load(ordering: .relaxed) else { break }
                                let (method, target, json, text) = request(client, index)
                                let started = ContinuousClock.now
                                let requestID = "fault-\(client)-\(index)"
                                var sample = Sample(
                                    method: method, text: text, requestID: requestID, status: 0, started: started, finished: started,
                                    detail: "")
                                do {
                                    let reply = try await HTTP.send(
                                        port: port, method, target, json: json,
                                        headers: ["Authorization": "Bearer \(token)", "X-Request-ID": requestID])
                                    sample.status = reply.status
                                    sample.retryAfter = reply.headers["retry-after"]
                                    sample.detail = reply.body
                                } catch {
                                    sample.detail = "transport: \(error)"
                                }
                                sample.finished = ContinuousClock.now
                                load.samples.withLockedValue { $0.append(sample) }
                            }
                        }
                    }
                }
            }
            load.task.withLockedValue { $0 = work }
            return load
        }

        /// Waits until `count` answers with `status` were recorded (bounded).
        func waitFor(_ count: Int, status: Int = 200, after instant: ContinuousClock.Instant? = nil, timeout: Duration = .seconds(10))
            async throws
        {
            let until = ContinuousClock.now + timeout
            while samples.withLockedValue({ $0.filter { $0.status == status && $0.started >= (instant ?? $0.started) }.count }) < count {
                guard ContinuousClock.now < until else {
                    // The test ends here: its clients need not keep going until their count runs out.
                    running.store(false, ordering: .relaxed)
                    let got = FaultStack.statusCounts(recorded)
                    throw FaultStackError(description: "fewer than \(count) answers \(status) within \(timeout): \(got)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        func stop() async -> [Sample] {
            running.store(false, ordering: .relaxed)
            await task.withLockedValue { $0 }?.value
            return recorded
        }
    }
}

extension FaultStack {
    /// Whole milliseconds of `duration`.
    static func ms(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// "201×40, 502×2" — the statuses of some samples, most frequent first.
    static func statusCounts(_ samples: [Sample]) -> String {
        Dictionary(grouping: samples, by: \.status).map { ($0.key, $0.value.count) }
            .sorted { $0.1 > $1.1 }.map { "\($0.0)×\($0.1)" }.joined(separator: ", ")
    }
}
