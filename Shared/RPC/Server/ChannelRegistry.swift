import NIOConcurrencyHelpers
public import NIOCore
import ServiceLifecycle

/// The open connections of a listening socket — the RPC server's and the edge's HTTP
/// server's — so the number can be limited and a graceful shutdown can ask every connection
/// to drain and then wait until all are closed.
public final class ChannelRegistry: Sendable {
    /// Asks one connection to finish what it is doing and close; runs on any thread.
    public typealias Drain = @Sendable (any Channel) -> Void

    private struct State {
        var connections: [ObjectIdentifier: any Channel] = [:]
        var draining = false
    }

    public let limit: Int
    private let drain: Drain
    private let state = NIOLockedValueBox(State())

    public init(limit: Int = .max, drain: @escaping Drain) {
        self.limit = limit
        self.drain = drain
    }

    public var count: Int { state.withLockedValue { $0.connections.count } }

    /// Registers a new connection; false when the limit is reached. A connection accepted
    /// while draining is asked to drain at once.
    public func add(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let outcome: (accepted: Bool, drainNow: Bool) = state.withLockedValue { state in
            guard state.connections.count < limit else { return (false, false) }
            state.connections[key] = channel
            return (true, state.draining)
        }
        guard outcome.accepted else { return false }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLockedValue { $0.connections.removeValue(forKey: key) }
        }
        if outcome.drainNow { drain(channel) }
        return true
    }

    public func drainAll() {
        let channels = state.withLockedValue { state in
            state.draining = true
            return Array(state.connections.values)
        }
        channels.forEach(drain)
    }

    public func closeAll() {
        let channels = state.withLockedValue { Array($0.connections.values) }
        for channel in channels { channel.close(promise: nil) }
    }

    public func waitUntilAllClosed() async {
        while true {
            let futures = state.withLockedValue { $0.connections.values.map(\.closeFuture) }
            if futures.isEmpty { return }
            for future in futures { try? await future.get() }
        }
    }

    /// Serves until the listener closes. A graceful shutdown closes the listener and drains
    /// every connection; cancellation (the drain timeout) closes them all. Returns once every
    /// connection is closed.
    public func serve(listener: any Channel, onGracefulShutdown: @escaping @Sendable () -> Void = {}) async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await listener.closeFuture.get()
            } onGracefulShutdown: {
                onGracefulShutdown()
                listener.close(promise: nil)
                self.drainAll()
            }
            await waitUntilAllClosed()
        } onCancel: {
            listener.close(promise: nil)
            self.closeAll()
        }
    }
}
