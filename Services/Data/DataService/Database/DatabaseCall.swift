import Logging
import NIOCore
import PostgresNIO
import RPC

/// What a repository needs to know about the RPC call it works for: how long it may take and
/// where to log (the logger carries the call's request id).
struct DatabaseCall: Sendable {
    let deadline: NIODeadline?
    let logger: Logger

    init(deadline: NIODeadline?, logger: Logger) {
        self.deadline = deadline
        self.logger = logger
    }

    init(_ context: RPCCallContext) {
        self.init(deadline: context.deadline, logger: context.logger)
    }
}

extension Database {
    /// ``withConnection(_:logger:requiresAvailability:_:)`` for an RPC call.
    func withConnection<Result: Sendable>(
        for call: DatabaseCall,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(RPCError) -> Result {
        try await withConnection(budget(deadline: call.deadline), logger: call.logger, body)
    }
}
