public import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A service executable of this package started as a real process on loopback ports, for
/// tests of what only a whole process shows: flags, signals, exit codes, admin endpoints.
public final class ServiceProcess: @unchecked Sendable {
    public let process = Process()
    public let adminPort: Int
    private let stdout = Pipe()
    private let stderr = Pipe()

    /// Starts `.build/<config>/<name>` (the directory of the running test bundle), as
    /// ``UnprivilegedAccount`` when the suite runs as root.
    ///
    /// - Parameter launcher: A command that execs the service in its place, given before its
    ///   path, e.g. `["/usr/bin/prlimit", "--nofile=256:256", "--"]`; the process is then still
    ///   the service's.
    public init(
        _ name: String, arguments: [String], adminPort: Int? = nil, environment: [String: String] = [:], launcher: [String] = []
    ) throws {
        self.adminPort = try adminPort ?? freePort()
        try process.useServiceExecutable(
            name, arguments: ["--admin-host", "127.0.0.1", "--admin-port", "\(self.adminPort)"] + arguments, launcher: launcher)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Sends `signal` and waits (bounded) for the exit status.
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        return try await waitForExit(timeout: timeout)
    }

    public func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        let until = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < until else {
                kill(process.processIdentifier, SIGKILL)
                throw ServiceProcessError(description: "process did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// "status N" or "signal N", for messages about a process that ended.
    public var exitDescription: String {
        guard !process.isRunning else { return "running" }
        return "\(process.terminationReason == .uncaughtSignal ? "signal" : "status") \(process.terminationStatus)"
    }

    public var standardError: String {
        String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self)
    }

    public var standardOutput: String {
        String(decoding: stdout.fileHandleForReading.availableData, as: UTF8.self)
    }

    /// Polls `GET path` on the admin port until it answers `status`.
    public func waitForAdmin(_ path: String, status: Int, timeout: Duration = .seconds(20)) async throws {
        let until = ContinuousClock.now + timeout
        while ContinuousClock.now < until {
            if let answer = try? await httpGet(port: adminPort, path: path), answer.status == status { return }
            guard process.isRunning else { throw ServiceProcessError(description: "process exited (\(exitDescription)): \(standardError)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServiceProcessError(description: "GET \(path) never answered \(status)")
    }
}

public struct ServiceProcessError: Error, CustomStringConvertible {
    public var description: String
}

/// A TCP port that was free a moment ago on 127.0.0.1, for a service a test is about to start.
///
/// Drawn from below the kernel's ephemeral range: ports in that range are also the source
/// ports of every outgoing connection (the test's clients, the services' pools, PostgreSQL),
/// and one of those can take the port between this check and the service's bind. A service
/// that then fails to bind exits, which shows up as a flaky "process exited".
public func freePort() throws -> Int {
    let ephemeralStart =
        (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
        .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32768
    let candidates = 10_000..<max(10_001, ephemeralStart)
    for _ in 0..<100 {
        let port = Int.random(in: candidates)
        // Two services of one test must not be handed the same port before either binds it.
        guard handedOutPorts.withLockedValue({ $0.insert(port).inserted }) else { continue }
        if let channel = try? ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: port).wait() {
            try? channel.close().wait()
            return port
        }
    }
    throw ServiceProcessError(description: "no free port below \(ephemeralStart) after 100 tries")
}

private let handedOutPorts = NIOLockedValueBox<Set<Int>>([])

/// A minimal HTTP/1.1 GET over a fresh connection: enough to read a status and a body.
public func httpGet(port: Int, path: String) async throws -> (status: Int, body: String) {
    try await httpRequest(port: port, method: "GET", path: path)
}

/// A minimal HTTP/1.1 request over a fresh connection, with `headers` and a JSON `body` if
/// given: enough to read a status and a body.
public func httpRequest(
    port: Int, method: String, path: String, headers: [String: String] = [:], json body: String? = nil
) async throws -> (status: Int, body: String) {
    let collector = ResponseCollector()
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
        }
        .connect(host: "127.0.0.1", port: port).get()
    var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
    for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
    if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
    try await channel.writeAndFlush(ByteBuffer(string: head + "\r\n" + (body ?? "")))
    try await channel.closeFuture.get()
    let text = try await channel.eventLoop.submit { String(buffer: collector.received) }.get()
    let statusLine = text.prefix { $0 != "\r" }
    let parts = statusLine.split(separator: " ")
    guard parts.count >= 2, let status = Int(parts[1]) else {
        throw ServiceProcessError(description: "not an HTTP response: \(text.prefix(80))")
    }
    let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return (status, body)
}

private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    var received = ByteBuffer()
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
    }
}

/// Runs one of this package's command-line tools to completion (bounded) and returns what it printed.
public func runTool(
    _ name: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(20)
) async throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    let stdout = Pipe()
    let stderr = Pipe()
    try process.useServiceExecutable(name, arguments: arguments)
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    process.environment = env
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let until = ContinuousClock.now + timeout
    while process.isRunning {
        guard ContinuousClock.now < until else {
            process.terminate()
            throw ServiceProcessError(description: "\(name) did not finish within \(timeout)")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    return (
        process.terminationStatus,
        String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
        String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    )
}
