import NIOCore
import Synchronization

/// The open client connections: enforces the connection limit and lets a graceful shutdown
/// ask every connection to finish its request and close.
final class ConnectionRegistry: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: any Channel] = [:]
        var draining = false
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { state.withLock { $0.connections.count } }

    /// Registers a new connection; false when the limit is reached. A connection accepted
    /// while draining is told to quiesce at once, which closes it before its first request.
    func add(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let outcome: (accepted: Bool, drainNow: Bool) = state.withLock { state in
            guard state.connections.count < limit else { return (false, false) }
            state.connections[key] = channel
            return (true, state.draining)
        }
        guard outcome.accepted else { return false }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.connections.removeValue(forKey: key) }
        }
        if outcome.drainNow { Self.quiesce(channel) }
        return true
    }

    /// NIO's pipeline handler closes an idle connection at once and a busy one right after
    /// its current response (with `Connection: close`).
    func drainAll() {
        let channels = state.withLock { state in
            state.draining = true
            return Array(state.connections.values)
        }
        channels.forEach(Self.quiesce)
    }

    func closeAll() {
        let channels = state.withLock { Array($0.connections.values) }
        for channel in channels { channel.close(promise: nil) }
    }

    func waitUntilAllClosed() async {
        while true {
            let futures = state.withLock { $0.connections.values.map(\.closeFuture) }
            if futures.isEmpty { return }
            for future in futures { try? await future.get() }
        }
    }

    private static func quiesce(_ channel: any Channel) {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
}
