import NIOCore
import NIOPosix
import RPC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `<service> healthcheck`: asks the service's own admin listener whether it is ready, for a
/// container's HEALTHCHECK. It is the binary itself rather than curl so that an image needs
/// nothing beside the service, and it reads the same `--admin-host`/`--admin-port` (or
/// `ADMIN_HOST`/`ADMIN_PORT`) as the service, so the two cannot disagree about the port.
enum HealthCheckCommand {
    static let name = "healthcheck"

    /// Exit status 0 when `GET /readyz` answers 200 within `timeout`, 1 otherwise (with the
    /// reason on stderr, which Docker keeps in the container's health log).
    static func run(settings: CommonSettings, timeout: TimeAmount = .seconds(2)) async -> Int32 {
        let host = loopbackHost(for: settings.adminHost)
        do {
            let status = try await readinessStatus(host: host, port: settings.adminPort, timeout: timeout)
            guard status == 200 else {
                printError("not ready: GET /readyz on \(HostPort(host: host, port: settings.adminPort)) answered \(status)")
                return 1
            }
            return 0
        } catch {
            printError("not ready: GET /readyz on \(HostPort(host: host, port: settings.adminPort)) failed: \(error)")
            return 1
        }
    }

    /// A wildcard listener is reached on loopback; a specific address is used as it is.
    static func loopbackHost(for adminHost: String) -> String {
        switch adminHost {
        case "0.0.0.0", "": "127.0.0.1"
        case "::", "[::]": "::1"
        default: adminHost
        }
    }

    private static func readinessStatus(host: String, port: Int, timeout: TimeAmount) async throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let collector = ResponseHeadCollector()
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: host, port: port).get()
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer { deadline.cancel() }
        let request = "GET /readyz HTTP/1.1\r\nHost: \(HostPort(host: host, port: port))\r\nConnection: close\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request))
        try await channel.closeFuture.get()
        return try await channel.eventLoop.submit { try collector.status() }.get()
    }

    private static func printError(_ message: String) {
        StandardError.write("healthcheck: \(message)\n")
    }
}

/// Collects the first bytes of a response: enough for its status line.
private final class ResponseHeadCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private static let limit = 1024
    private var received = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received.readableBytes < Self.limit { received.writeBuffer(&bytes) }
    }

    func status() throws -> Int {
        let head = String(buffer: received)
        let statusLine = head.prefix { $0 != "\r" && $0 != "\n" }
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1."), let status = Int(fields[1]) else {
            throw HealthCheckError(description: head.isEmpty ? "no response" : "not an HTTP response")
        }
        return status
    }
}

private struct HealthCheckError: Error, CustomStringConvertible {
    var description: String
}
