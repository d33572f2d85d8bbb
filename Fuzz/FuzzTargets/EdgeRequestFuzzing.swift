import AppServerProtocol
import Dispatch
import EdgeService
import Foundation
import Logging
import MicropostsModels
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RPC
import ServiceKit

/// The edge's whole request path against arbitrary bytes: a real edge (HTTP decoder,
/// pipelining, limits, static files, the `/api/` proxy) listens on loopback in this process,
/// and each input is one client connection that sends the bytes and closes its side.
///
/// What must hold for any input: the process does not crash, the edge closes the connection
/// within the deadline after the client's end of input, what it sends is HTTP/1.1 responses,
/// and none of them is a 500 (nothing in this setup can fail on the server's side).
package enum EdgeRequestFuzzing {
    /// Far above the edge's own timeouts here (see ``EdgeUnderTest``): a connection still
    /// open this long after the client finished sending is a connection the edge leaks.
    static let closeDeadlineMilliseconds = 5_000

    package static func run(_ input: UnsafeRawBufferPointer) {
        _ = exchange(input)
    }

    /// Runs one input and returns what the edge answered (checked as ``run(_:)`` checks it).
    package static func exchange(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let outcome = LoopbackExchange.run(input, port: EdgeUnderTest.shared.port, timeoutMilliseconds: closeDeadlineMilliseconds)
        guard outcome.closedByServer else {
            fatalError("the edge kept the connection open \(closeDeadlineMilliseconds) ms after the client's end of input")
        }
        check(outcome.response)
        return outcome.response
    }

    static func check(_ response: [UInt8]) {
        guard !response.isEmpty else { return }
        let statusLine = Array("HTTP/1.1 ".utf8)
        guard response.starts(with: statusLine) else {
            fatalError("the edge answered something other than an HTTP/1.1 response: \(response.prefix(64))")
        }
        let internalError = Array("HTTP/1.1 500 ".utf8)
        var index = response.startIndex
        while let found = response[index...].firstRange(of: internalError) {
            // Only at the start of a line: a body may contain the text.
            if found.lowerBound == response.startIndex || response[found.lowerBound - 1] == UInt8(ascii: "\n") {
                fatalError("the edge answered 500 Internal Server Error")
            }
            index = found.upperBound
        }
    }
}

/// One edge for the whole fuzzing process, with short timeouts and an in-process upstream.
final class EdgeUnderTest: Sendable {
    static let shared: EdgeUnderTest = {
        do {
            return try EdgeUnderTest()
        } catch {
            fatalError("could not start the edge under test: \(error)")
        }
    }()

    let port: Int
    let staticRoot: String

    private init() throws {
        staticRoot = try StaticSite.create()
        var configuration = HTTPServerConfiguration()
        configuration.listen = HostPort(host: "127.0.0.1", port: 0)
        configuration.staticRoot = staticRoot
        configuration.staticListing = true
        configuration.headerTimeout = .seconds(1)
        configuration.bodyTimeout = .seconds(1)
        configuration.requestTimeout = .seconds(2)
        configuration.keepaliveTimeout = .seconds(1)
        configuration.sendTimeout = .seconds(1)
        // Every input is a new connection from 127.0.0.1.
        configuration.maximumConnectionsPerAddress = 0
        configuration.accessLog = false
        var logger = Logger(label: "edge-under-fuzzing")
        logger.logLevel = .critical
        let app = EdgeService.makeApplication(
            configuration, upstream: EchoUpstream(), upstreamTimeout: .seconds(2), maintenance: nil, logger: logger)
        let server = HTTPServer(app: app, eventLoopGroup: MultiThreadedEventLoopGroup(numberOfThreads: 1), logger: logger)
        let bound = DispatchSemaphore(value: 0)
        let address = NIOLockedValueBox<Result<SocketAddress, any Error>?>(nil)
        Task {
            do {
                try await server.run()
            } catch {
                address.withLockedValue { $0 = .failure(error) }
                bound.signal()
            }
        }
        Task {
            let result: Result<SocketAddress, any Error>
            do {
                result = .success(try await server.localAddress())
            } catch {
                result = .failure(error)
            }
            address.withLockedValue { if $0 == nil { $0 = result } }
            bound.signal()
        }
        bound.wait()
        guard let port = try address.withLockedValue({ $0 })?.get().port else { throw EdgeUnderTestError.noPort }
        self.port = port
    }

    enum EdgeUnderTestError: Error { case noPort }
}

/// Answers every `/api/` request at once: 200 with the request's body.
private struct EchoUpstream: Upstream {
    func send(_ request: HTTPEnvelopeRequest, options: RPCCallOptions) async throws -> HTTPEnvelopeResponse {
        HTTPEnvelopeResponse(
            status: 200, headers: [HTTPHeaderField(name: "Content-Type", value: "application/octet-stream")], body: request.body)
    }
}

/// A small site with each kind of thing the static path serves differently.
enum StaticSite {
    static func create() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("edge-fuzz-\(getpid())").path
        let files: [(String, [UInt8])] = [
            ("index.html", Array("<!doctype html><title>fuzz</title>".utf8)),
            ("style.css", Array(repeating: UInt8(ascii: "a"), count: 2_000)),
            (
                "style.css.gz",
                [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
            ),
            ("large.bin", (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }),
            ("docs/index.html", Array("<p>docs</p>".utf8)),
            ("listing/a b.txt", Array("a file with a space".utf8)),
            ("listing/\u{E9}t\u{E9}.txt", Array("non-ASCII name".utf8)),
            (".hidden", Array("never served".utf8)),
        ]
        for (path, bytes) in files {
            let url = URL(fileURLWithPath: root).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return root
    }
}
