import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresTestSupport
import ServiceTestSupport
import XCTest

/// data ×1, worker ×n and (optionally) an edge as real processes on loopback ports, built for
/// hostile-input tests: each process's output is drained continuously (a hostile client makes
/// the RPC servers log one warning per connection, and an undrained pipe would block them), and
/// a process's liveness, resident memory and open descriptors can be read at any time.
final class HostileStack: @unchecked Sendable {
    static let secret = "end-to-end-secret-of-at-least-32-bytes!"

    /// One started process with its drained output.
    final class Member: Sendable {
        let name: String
        let service: ServiceProcess
        private let output = NIOLockedValueBox<(text: [UInt8], lines: Int)>(([], 0))

        init(_ name: String, _ service: ServiceProcess) {
            self.name = name
            self.service = service
            for pipe in [service.process.standardOutput, service.process.standardError].compactMap({ $0 as? Pipe }) {
                pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                    let data = handle.availableData
                    if data.isEmpty {
                        handle.readabilityHandler = nil
                        return
                    }
                    self?.output.withLockedValue { output in
                        output.lines += data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                        output.text.append(contentsOf: data)
                        // Keep the last 256 KiB: enough to explain a failure.
                        if output.text.count > 512 * 1024 { output.text.removeFirst(output.text.count - 256 * 1024) }
                    }
                }
            }
        }

        var pid: Int32 { service.process.processIdentifier }
        var isAlive: Bool { service.process.isRunning }

        /// The tail of what the process wrote to stdout and stderr.
        func log(last characters: Int = 4000) -> String {
            let text = output.withLockedValue { String(decoding: $0.text, as: UTF8.self) }
            return String(text.suffix(characters))
        }

        func count(_ needle: String) -> Int {
            output.withLockedValue { String(decoding: $0.text, as: UTF8.self) }.components(separatedBy: needle).count - 1
        }

        /// VmRSS of the process, in bytes.
        var residentBytes: Int {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
            else { return -1 }
            return kilobytes * 1024
        }

        var openDescriptors: Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        }
    }

    private let lock = NSLock()
    private var started: [Member] = []
    private(set) var data: Member?
    private(set) var workers: [Member] = []
    private(set) var edge: Member?
    private(set) var dataRPCPort = 0
    private(set) var workerRPCPorts: [Int] = []
    private(set) var workerHTTPPorts: [Int] = []
    private(set) var edgePort = 0
    /// The edge's throwaway certificate and key (`edge.crt`, `edge.key`) when it terminates TLS.
    private(set) var certificates: TestCertificates?
    private var staticRoot: URL?

    /// The edge's certificate, for a client to verify it with (`curl --cacert`), when it terminates TLS.
    var edgeCertificate: String? { certificates?.certificate("edge") }

    /// `https://127.0.0.1:<edgePort>` when the edge terminates TLS, else `http://…`.
    var edgeURL: String { "\(certificates == nil ? "http" : "https")://127.0.0.1:\(edgePort)" }

    var members: [Member] { lock.withLock { started } }

    private func add(_ member: Member) {
        lock.withLock { started.append(member) }
    }

    /// Starts the processes; whatever started is stopped by ``stop()`` even if this throws.
    /// - Parameters:
    ///   - tls: The edge terminates TLS (HTTP/1.1 and HTTP/2 by ALPN) with a certificate made
    ///     for this stack, for 127.0.0.1 and localhost (``edgeCertificate``).
    ///   - environment: more variables per service (`data`, `worker`, `edge`).
    func start(
        workerCount: Int = 1, withEdge: Bool = true, tls: Bool = false, edgeArguments: [String] = [],
        environment: [String: [String: String]] = [:]
    ) async throws {
        let cluster = try await PostgresTestCluster.shared()
        let database = try await cluster.createDatabase()
        let url = "postgres://\(cluster.username):\(cluster.password)@\(cluster.host):\(cluster.port)/\(database)?sslmode=disable"
        dataRPCPort = try freePort()
        let data = Member(
            "data",
            try ServiceProcess(
                // Throttles off here: they would answer most hostile logins and registrations with 429
                // before their bodies are read, which is what these tests are about.
                "data",
                arguments: [
                    "--rpc-listen", "127.0.0.1:\(dataRPCPort)", "--password-hash-iterations", "210000", "--login-attempts-per-account", "0",
                ],
                environment: ["DATABASE_URL": url].merging(environment["data"] ?? [:]) { $1 }))
        add(data)
        self.data = data
        try await waitUntilReady(data)

        for index in 0..<workerCount {
            let http = try freePort()
            let rpc = try freePort()
            let worker = Member(
                "worker\(index)",
                try ServiceProcess(
                    "worker",
                    arguments: [
                        "--rpc-listen", "127.0.0.1:\(rpc)", "--http", "127.0.0.1:\(http)", "--data-target", "127.0.0.1:\(dataRPCPort)",
                        "--login-attempts-per-address", "0", "--registrations-per-address", "0",
                    ],
                    environment: ["JWT_SECRET": Self.secret].merging(environment["worker"] ?? [:]) { $1 }))
            add(worker)
            workers.append(worker)
            workerRPCPorts.append(rpc)
            workerHTTPPorts.append(http)
            try await waitUntilReady(worker)
        }
        for port in workerHTTPPorts {
            try await waitUntilServing(port: port)
        }

        guard withEdge else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-static-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("<!doctype html><title>hostile</title>".utf8).write(to: root.appendingPathComponent("index.html"))
        try Data("body { color: red }".utf8).write(to: root.appendingPathComponent("site.css"))
        try UnprivilegedAccount.giveToServices(root)
        staticRoot = root
        var tlsArguments: [String] = []
        if tls {
            let certificates = try TestCertificates()
            self.certificates = certificates
            try certificates.make("edge")
            tlsArguments = ["--tls-certificate", certificates.certificate("edge"), "--tls-key", certificates.key("edge")]
        }
        edgePort = try freePort()
        let edge = Member(
            "edge",
            try ServiceProcess(
                "edge",
                arguments: [
                    "--http-listen", "127.0.0.1:\(edgePort)", "--worker-target",
                    workerRPCPorts.map { "127.0.0.1:\($0)" }.joined(separator: ","),
                    "--static-root", root.path, "--access-log=false",
                ] + tlsArguments + edgeArguments, environment: environment["edge"] ?? [:]))
        add(edge)
        self.edge = edge
        try await waitUntilReady(edge)
        if let certificate = edgeCertificate {
            try await waitUntilServing(url: edgeURL, trusting: certificate)
        } else {
            try await waitUntilServing(port: edgePort)
        }
    }

    /// Waits for `/readyz`; a failure carries the member's output, which the drain took from
    /// the pipes `ServiceProcess` would otherwise quote.
    private func waitUntilReady(_ member: Member) async throws {
        do {
            try await member.service.waitForAdmin("/readyz", status: 200)
        } catch {
            throw HostileStackError(description: "\(member.name) never became ready: \(error); log: \(member.log())")
        }
    }

    /// Waits until an API call through `port` is answered by a worker that reached the data service.
    private func waitUntilServing(port: Int) async throws {
        let until = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < until {
            if let reply = try? await HostileHTTP.request(port: port, "GET", "/api/users/nobody"), reply.status == 401 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HostileStackError(description: "port \(port) never answered an API request")
    }

    /// The same through a TLS edge, with curl verifying its certificate.
    private func waitUntilServing(url: String, trusting certificate: String) async throws {
        let until = ContinuousClock.now + .seconds(15)
        var last = ""
        while ContinuousClock.now < until {
            if let reply = try? await Curl.fetch(url + "/api/users/nobody", trusting: certificate) {
                if reply.status == 401 { return }
                last = "\(reply.status) \(reply.body)"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HostileStackError(description: "\(url) never answered an API request (last: \(last))")
    }

    /// Stops every process, front to back, and reports any that did not exit cleanly.
    func stop(file: StaticString = #filePath, line: UInt = #line) async {
        let order = members.reversed()
        for member in order where member.isAlive {
            do {
                let status = try await member.service.stop(signal: SIGTERM, timeout: .seconds(15))
                XCTAssertEqual(status, 0, "\(member.name) exit status; log: \(member.log())", file: file, line: line)
            } catch {
                XCTFail("\(member.name) did not stop: \(error); log: \(member.log())", file: file, line: line)
            }
        }
        if let staticRoot { try? FileManager.default.removeItem(at: staticRoot) }
        certificates?.remove()
    }

    func assertAllAlive(_ context: String, file: StaticString = #filePath, line: UInt = #line) {
        for member in members {
            XCTAssertTrue(member.isAlive, "\(member.name) died \(context); log: \(member.log())", file: file, line: line)
        }
    }

    // MARK: - API helpers (through any HTTP port: the edge or a worker's --http)

    func register(_ username: String, port: Int) async throws {
        let reply = try await HostileHTTP.request(
            port: port, "POST", "/api/users", json: #"{"username":"\#(username)","password":"password123"}"#)
        XCTAssertEqual(reply.status, 201, reply.text)
    }

    func login(_ username: String, port: Int) async throws -> String {
        let reply = try await HostileHTTP.request(
            port: port, "POST", "/api/token",
            json: #"{"grant_type":"client_credentials","client_id":"\#(username)","client_secret":"password123"}"#)
        XCTAssertEqual(reply.status, 200, reply.text)
        guard let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
            let token = object["access_token"] as? String
        else { throw HostileStackError(description: "no token in \(reply.text)") }
        return token
    }

    /// A normal authenticated read and write: what a well-behaved client does.
    func assertServesNormally(port: Int, token: String, user: String, _ context: String, file: StaticString = #filePath, line: UInt = #line)
        async throws
    {
        let read = try await HostileHTTP.request(port: port, "GET", "/api/users/\(user)", token: token)
        XCTAssertEqual(read.status, 200, "read \(context): \(read.text)", file: file, line: line)
        let write = try await HostileHTTP.request(
            port: port, "POST", "/api/users/\(user)/collection", json: #"{"text":"still serving \#(context)"}"#, token: token)
        XCTAssertEqual(write.status, 201, "write \(context): \(write.text)", file: file, line: line)
    }

    /// Polls until `member`'s RSS is at most `limit` (memory is given back lazily), returning the last reading.
    static func residentBytes(of member: Member, settlingBelow limit: Int, within timeout: Duration = .seconds(5)) async throws -> Int {
        let until = ContinuousClock.now + timeout
        var current = member.residentBytes
        while current > limit, ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(100))
            current = member.residentBytes
        }
        return current
    }
}

struct HostileStackError: Error, CustomStringConvertible {
    var description: String
}

// MARK: - Raw connections

/// A TCP connection that writes exact bytes and collects whatever comes back: for inputs no
/// HTTP or RPC client library would send.
final class HostileRawConnection: Sendable {
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state = NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>(([], false))
        let closedOnce = NIOLockedValueBox<[@Sendable () -> Void]>([])

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            state.withLockedValue { $0.bytes.append(contentsOf: buffer.readableBytesView) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLockedValue { $0.closed = true }
            context.fireChannelInactive()
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            // The peer closed its side: treat as closed (we never write after a peer's FIN).
            if let event = event as? ChannelEvent, event == .inputClosed {
                state.withLockedValue { $0.closed = true }
                context.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A reset by the peer is an answer too ("the connection closes").
            context.close(promise: nil)
        }
    }

    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    static func connect(port: Int) async throws -> HostileRawConnection {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return HostileRawConnection(channel: channel, collector: collector)
    }

    /// Writes `bytes`; a peer that already closed or reset is not an error here.
    func send(_ bytes: [UInt8]) async {
        try? await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Shuts down our sending side (a FIN), so the peer knows no more bytes are coming.
    func finishSending() async {
        try? await channel.close(mode: .output)
    }

    var received: [UInt8] { collector.state.withLockedValue { $0.bytes } }
    var isClosed: Bool { collector.state.withLockedValue { $0.closed } }

    /// Waits until the peer closes (true) or `timeout` passes (false).
    func waitForClose(timeout: Duration) async -> Bool {
        let until = ContinuousClock.now + timeout
        while !isClosed {
            if ContinuousClock.now >= until { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Waits until `enough` says the bytes received so far suffice, the peer closes, or `timeout` passes.
    func waitFor(timeout: Duration, until enough: ([UInt8]) -> Bool) async {
        let deadline = ContinuousClock.now + timeout
        while !isClosed, ContinuousClock.now < deadline, !enough(received) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    func close() async {
        try? await channel.close()
    }
}

/// HTTP/1.1 over a raw connection: exact request bytes in, every response's status out.
enum HostileHTTP {
    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    /// A request with `Connection: close`; the reply is read until the server closes.
    static func request(
        port: Int, _ method: String, _ target: String, json: String? = nil, token: String? = nil,
        headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: Duration = .seconds(15)
    ) async throws -> Reply {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        let payload = body ?? json.map { Array($0.utf8) }
        if json != nil, !headers.contains(where: { $0.0.lowercased() == "content-type" }) { head += "Content-Type: application/json\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let payload { head += "Content-Length: \(payload.count)\r\n" }
        head += "\r\n"
        let outcome = try await exchange(port: port, bytes: Array(head.utf8) + (payload ?? []), finishSending: false, timeout: timeout)
        guard outcome.closed else { throw HostileStackError(description: "\(method) \(target): no complete answer within \(timeout)") }
        guard let reply = parse(outcome.bytes, requestIsHead: method == "HEAD").replies.first else {
            throw HostileStackError(
                description: "\(method) \(target): not an HTTP response: \(String(decoding: outcome.bytes.prefix(200), as: UTF8.self))")
        }
        return reply
    }

    /// Sends `bytes` on a fresh connection (then a FIN when `finishSending`) and collects all
    /// bytes until the server closes or `timeout` passes.
    static func exchange(port: Int, bytes: [UInt8], finishSending: Bool, timeout: Duration) async throws -> (bytes: [UInt8], closed: Bool) {
        let connection = try await HostileRawConnection.connect(port: port)
        await connection.send(bytes)
        if finishSending { await connection.finishSending() }
        let closed = await connection.waitForClose(timeout: timeout)
        await connection.close()
        return (connection.received, closed)
    }

    /// Every complete response in `bytes`, in order, and whether bytes were left over that are
    /// not a response (a truncated one, or garbage).
    static func parse(_ bytes: [UInt8], requestIsHead: Bool = false) -> (replies: [Reply], leftover: Int) {
        var replies: [Reply] = []
        var index = 0
        let terminator: [UInt8] = [13, 10, 13, 10]
        while index < bytes.count {
            guard let headEnd = firstIndex(of: terminator, in: bytes, from: index) else { break }
            let headText = String(decoding: bytes[index..<headEnd], as: UTF8.self)
            let lines = headText.components(separatedBy: "\r\n")
            let statusParts = lines[0].split(separator: " ", maxSplits: 2)
            guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else { break }
            var headers: [(String, String)] = []
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            var bodyStart = headEnd + 4
            var bodyLength = 0
            // A response to HEAD announces a length but sends no body; an error answering a HEAD
            // the server could not parse does send one. Tell them apart by what follows.
            let nextIsResponse = bytes.count == headEnd + 4 || bytes[(headEnd + 4)...].starts(with: Array("HTTP/1.".utf8))
            let bodiless = (100..<200).contains(status) || status == 204 || status == 304 || (requestIsHead && nextIsResponse)
            if !bodiless {
                bodyLength = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? (bytes.count - bodyStart)
            }
            let available = min(bodyLength, bytes.count - bodyStart)
            replies.append(Reply(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyStart + available])))
            bodyStart += available
            index = bodyStart
        }
        return (replies, bytes.count - index)
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        for index in start...(bytes.count - needle.count) where bytes[index] == needle[0] {
            if Array(bytes[index..<index + needle.count]) == needle { return index }
        }
        return nil
    }

    /// Any status line of class 5xx anywhere in `bytes` — a second look independent of framing.
    static func containsServerError(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.hasPrefix("HTTP/1.1 5") || text.hasPrefix("HTTP/1.0 5") || text.contains("\r\nHTTP/1.1 5")
            || text.contains("}HTTP/1.1 5")
    }
}

/// Runs `operation` on each of `items` with at most `width` in flight.
func hostileConcurrentMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], width: Int, _ operation: @escaping @Sendable (Item) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: items.count)
        var next = 0
        while next < min(width, items.count) {
            let index = next
            group.addTask { (index, try await operation(items[index])) }
            next += 1
        }
        while let (index, result) = try await group.next() {
            results[index] = result
            if next < items.count {
                let index = next
                group.addTask { (index, try await operation(items[index])) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
