import NIOCore
import NIOPosix
import XCTest

@testable import RPC

/// A client keeps a connection to each server on each of its event loops, and a call made on a
/// loop goes out on that loop's connections: no thread hop between the request that causes the
/// call and the call's frames.
final class RPCEventLoopAffinityTests: XCTestCase {
    func testOneConnectionPerEventLoopAndCallsStayOnTheirLoop() async throws {
        let a = try await TestServer.start(router: echoRouter(name: "a"))
        let b = try await TestServer.start(router: echoRouter(name: "b"))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        do {
            var configuration = RPCClientConfiguration()
            configuration.reconnectBackoffCap = .milliseconds(200)
            XCTAssertEqual(configuration.connectionsPerEndpoint, 0, "the default is one connection per event loop")
            let transport = SocketClientTransport(
                target: try RPCTarget(parsing: "\(a.hostAndPort),\(b.hostAndPort)"), configuration: configuration,
                eventLoopGroup: group, logger: quietLogger)
            let running = Task { try await transport.run() }
            defer { running.cancel() }
            try await eventually { transport.readyConnectionCount == 4 }

            for loop in loops {
                let picked = try await loop.submit {
                    (0..<200).compactMap { _ -> ClientConnection? in
                        guard
                            case .connection(let connection) = transport.pool.pick(serving: RPCMethod<Echo, Echo>.echo.name, avoiding: nil)
                        else {
                            return nil
                        }
                        return connection
                    }
                }.get()
                XCTAssertEqual(picked.count, 200)
                XCTAssertTrue(picked.allSatisfy { $0.channel.eventLoop === loop }, "a call made on a loop uses that loop's connections")
                XCTAssertEqual(Set(picked.map(\.address)).count, 2, "and is still balanced over both servers")
            }

            // A retry avoids the address of its previous attempt even on its own loop.
            let avoided = a.address
            let retried = try await loops[0].submit {
                (0..<50).compactMap { _ -> SocketAddress? in
                    guard
                        case .connection(let connection) = transport.pool.pick(serving: RPCMethod<Echo, Echo>.echo.name, avoiding: avoided)
                    else {
                        return nil
                    }
                    return connection.address
                }
            }.get()
            XCTAssertEqual(Set(retried), [b.address])

            // Off the loops (a task on the cooperative pool), every connection is a candidate.
            var loopsUsed = Set<ObjectIdentifier>()
            for _ in 0..<200 {
                if case .connection(let connection) = transport.pool.pick(serving: RPCMethod<Echo, Echo>.echo.name, avoiding: nil) {
                    loopsUsed.insert(ObjectIdentifier(connection.channel.eventLoop))
                }
            }
            XCTAssertEqual(loopsUsed.count, 2)
        }
        await a.kill()
        await b.kill()
        try await group.shutdownGracefully()
    }

    func testAnExplicitCountSpreadsConnectionsOverTheLoops() async throws {
        let server = try await TestServer.start(router: echoRouter(name: "a"))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        do {
            var configuration = RPCClientConfiguration()
            configuration.connectionsPerEndpoint = 3
            let transport = SocketClientTransport(
                target: try RPCTarget(parsing: server.hostAndPort), configuration: configuration, eventLoopGroup: group, logger: quietLogger
            )
            let running = Task { try await transport.run() }
            defer { running.cancel() }
            try await eventually { transport.readyConnectionCount == 3 }
            let connections = transport.pool.removeAll()
            let perLoop = Dictionary(grouping: connections) { ObjectIdentifier($0.channel.eventLoop) }.mapValues(\.count)
            XCTAssertEqual(perLoop.values.sorted(), [1, 2])
            for connection in connections { connection.close() }
        }
        await server.kill()
        try await group.shutdownGracefully()
    }
}
