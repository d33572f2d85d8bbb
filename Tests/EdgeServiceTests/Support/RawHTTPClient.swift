import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import XCTest

/// A parsed HTTP/1.1 response as a test sees it.
struct TestResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A client that writes exact bytes and parses exact responses: what keep-alive, pipelining,
/// slowloris and malformed-request tests need, which no HTTP client library allows.
final class RawHTTPClient: Sendable {
    private let channel: any Channel
    private let collector: Collector

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state = NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>(([], false))

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            state.withLockedValue { $0.bytes.append(contentsOf: buffer.readableBytesView) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLockedValue { $0.closed = true }
        }
    }

    /// - Parameters:
    ///   - source: The local address to connect from, e.g. `127.0.0.2` to be a second
    ///     client address on loopback; by default the kernel's choice (127.0.0.1).
    ///   - tls: Speak TLS, offering these ALPN protocols, trusting any certificate; nil is plain.
    static func connect(port: Int, from source: String? = nil, tls: [String]? = nil) async throws -> RawHTTPClient {
        let collector = Collector()
        let sslContext = try tls.map { protocols in
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            configuration.applicationProtocols = protocols
            return try NIOSSLContext(configuration: configuration)
        }
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: nil))
                    }
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        return RawHTTPClient(channel: channel, collector: collector)
    }

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    var isClosed: Bool { collector.state.withLockedValue { $0.closed } }

    /// Reads the next complete response, consuming it. `isHead` marks a response to HEAD,
    /// whose Content-Length announces a body that is not there.
    func response(isHead: Bool = false, timeout: Duration = .seconds(10), file: StaticString = #filePath, line: UInt = #line) async throws
        -> TestResponse
    {
        let until = ContinuousClock.now + timeout
        while ContinuousClock.now < until {
            let parsed: TestResponse? = collector.state.withLockedValue { state in
                guard let (response, used) = Self.parse(state.bytes, isHead: isHead) else { return nil }
                state.bytes.removeFirst(used)
                return response
            }
            if let parsed { return parsed }
            if isClosed {
                // Closed: give the parser one last look at what arrived.
                if let (response, _) = collector.state.withLockedValue({ Self.parse($0.bytes, isHead: isHead) }) { return response }
                throw TestFailure(
                    "connection closed without a complete response; got \(String(decoding: collector.state.withLockedValue { $0.bytes }, as: UTF8.self).prefix(200))"
                )
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestFailure("no complete response within \(timeout)")
    }

    /// Waits until the server closes the connection; returns how long that took.
    func waitForClose(timeout: Duration = .seconds(10)) async throws -> Duration {
        let start = ContinuousClock.now
        while !isClosed {
            guard ContinuousClock.now - start < timeout else { throw TestFailure("connection still open after \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return ContinuousClock.now - start
    }

    var unreadBytes: Int { collector.state.withLockedValue { $0.bytes.count } }

    /// Everything received and not yet consumed, as bytes.
    var received: [UInt8] { collector.state.withLockedValue { $0.bytes } }

    /// Everything received and not yet consumed by ``response(isHead:timeout:file:line:)``, as
    /// text: for counting many responses, which parsing one by one would make quadratic.
    var unreadText: String { collector.state.withLockedValue { String(decoding: $0.bytes, as: UTF8.self) } }

    func close() {
        channel.close(promise: nil)
    }

    /// Parses one response from the front of `bytes`: the head, then Content-Length bytes.
    private static func parse(_ bytes: [UInt8], isHead: Bool) -> (TestResponse, Int)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = bytes.firstRange(of: separator) else { return nil }
        let headText = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        let bodyLength = isHead || status == 304 || (100..<200).contains(status) ? 0 : length
        let bodyStart = headEnd.upperBound
        guard bytes.count >= bodyStart + bodyLength else { return nil }
        return (
            TestResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<(bodyStart + bodyLength)])), bodyStart + bodyLength
        )
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension RawHTTPClient {
    /// One request on a fresh connection.
    static func get(
        _ target: String, port: Int, headers: [String: String] = [:], method: String = "GET", from source: String? = nil
    ) async throws -> TestResponse {
        let client = try await connect(port: port, from: source)
        defer { client.close() }
        var request = "\(method) \(target) HTTP/1.1\r\n"
        if !headers.keys.contains(where: { $0.lowercased() == "host" }) { request += "Host: localhost\r\n" }
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        try await client.send(request)
        return try await client.response(isHead: method == "HEAD")
    }
}
