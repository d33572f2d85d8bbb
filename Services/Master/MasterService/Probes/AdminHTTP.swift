import Foundation
import NIOCore
import NIOPosix

/// A minimal HTTP/1.1 GET against an instance's admin port (`/readyz`, `/metrics`).
///
/// The admin listener answers these paths with a Content-Length body, so reading stops at
/// its end (the server may keep the connection open despite `Connection: close`); no
/// chunked decoding is needed for these loopback probes.
enum AdminHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Answer: Sendable {
        var status: Int
        var body: String
    }

    static let maximumResponseSize = 4 << 20

    static func get(host: String, port: Int, path: String, timeout: Duration = .seconds(2)) async throws -> Answer {
        try await withThrowingTaskGroup(of: Answer.self) { group in
            group.addTask { try await fetch(host: host, port: port, path: path) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure(description: "GET \(path) on port \(port): no answer within \(timeout)")
            }
            defer { group.cancelAll() }
            guard let answer = try await group.next() else { throw Failure(description: "GET \(path): no result") }
            return answer
        }
    }

    private static func fetch(host: String, port: Int, path: String) async throws -> Answer {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(1))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let received = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"))
            var buffer = ByteBuffer()
            for try await chunk in inbound {
                var chunk = chunk
                buffer.writeBuffer(&chunk)
                guard buffer.readableBytes <= maximumResponseSize else {
                    throw Failure(description: "GET \(path): response larger than \(maximumResponseSize) bytes")
                }
                if isComplete(buffer) { break }
            }
            return buffer
        }
        return try parse(String(buffer: received), path: path)
    }

    /// True once the head and as many body bytes as its Content-Length announces have arrived.
    static func isComplete(_ buffer: ByteBuffer) -> Bool {
        let bytes = buffer.readableBytesView
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = bytes.firstRange(of: separator) else { return false }
        let head = String(decoding: bytes[bytes.startIndex..<headEnd.lowerBound], as: UTF8.self)
        for line in head.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length",
                let length = Int(parts[1].trimmingCharacters(in: .whitespaces))
            else { continue }
            return bytes.endIndex - headEnd.upperBound >= length
        }
        return false
    }

    static func parse(_ text: String, path: String) throws -> Answer {
        let statusLine = text.prefix { $0 != "\r" && $0 != "\n" }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw Failure(description: "GET \(path): not an HTTP response")
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Answer(status: status, body: body)
    }
}
