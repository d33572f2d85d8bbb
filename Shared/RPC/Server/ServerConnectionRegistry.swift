import NIOCore
import Synchronization

/// The open connections of a server, so a graceful shutdown can tell each of them to drain
/// and wait until all are closed.
final class ServerConnectionRegistry: Sendable {
    private struct Entry: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<ServerConnectionHandler>
    }

    private struct State {
        var connections: [ObjectIdentifier: Entry] = [:]
        var draining = false
    }

    private let state = Mutex(State())

    func add(_ channel: any Channel, handler: NIOLoopBound<ServerConnectionHandler>) {
        let entry = Entry(channel: channel, handler: handler)
        let key = ObjectIdentifier(channel)
        let drainNow = state.withLock { state in
            state.connections[key] = entry
            return state.draining
        }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.connections.removeValue(forKey: key) }
        }
        if drainNow { Self.drain(entry) }
    }

    func drainAll() {
        let entries = state.withLock { state in
            state.draining = true
            return Array(state.connections.values)
        }
        entries.forEach(Self.drain)
    }

    func closeAll() {
        let entries = state.withLock { Array($0.connections.values) }
        for entry in entries { entry.channel.close(promise: nil) }
    }

    func waitUntilAllClosed() async {
        let futures = state.withLock { $0.connections.values.map(\.channel.closeFuture) }
        for future in futures { try? await future.get() }
    }

    private static func drain(_ entry: Entry) {
        entry.handler.eventLoop.execute { entry.handler.value.beginDrain() }
    }
}
