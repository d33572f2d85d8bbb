import NIOConcurrencyHelpers
package import PostgresNIO
package import RPC

/// Work in progress on each pooled connection, so that a connection that closes fails its
/// work at once. PostgresNIO 1.33 can leave a query sent on a connection the server is just
/// closing without an answer for good (seen when PostgreSQL restarts under load).
///
/// One close callback per connection, not one per lease: a callback added to a connection's
/// `closeFuture` lives as long as the connection, and leases come by the thousand per second.
package final class ConnectionCloseWatch: Sendable {
    package typealias Abandon = @Sendable (RPCError) -> Void

    private struct State {
        var work: [PostgresConnection.ID: [UInt64: Abandon]] = [:]
        var nextToken: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    package init() {}

    /// Registers `abandon` to run if `connection` closes before ``end(_:on:)``.
    package func begin(on connection: PostgresConnection, abandon: @escaping Abandon) -> UInt64 {
        let (token, isNew) = state.withLockedValue { state -> (UInt64, Bool) in
            state.nextToken &+= 1
            let isNew = state.work[connection.id] == nil
            state.work[connection.id, default: [:]][state.nextToken] = abandon
            return (state.nextToken, isNew)
        }
        if isNew {
            let id = connection.id
            connection.closeFuture.whenComplete { _ in
                let abandoned = self.state.withLockedValue { $0.work.removeValue(forKey: id) } ?? [:]
                for abandon in abandoned.values { abandon(RPCError.unavailable("database connection closed")) }
            }
        }
        return token
    }

    /// The work `token` names has finished: its connection closing no longer concerns it.
    package func end(_ token: UInt64, on connection: PostgresConnection) {
        state.withLockedValue { state in
            // The entry stays (possibly empty) while the connection lives: its close callback is
            // registered once and removes it.
            _ = state.work[connection.id]?.removeValue(forKey: token)
        }
    }
}
