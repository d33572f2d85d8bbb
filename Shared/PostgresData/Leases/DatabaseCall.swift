public import Logging
public import NIOCore
public import PostgresNIO
public import RPC

/// What a repository needs to know about the RPC call it works for: how long it may take and
/// where to log (the logger carries the call's request id).
public struct DatabaseCall: Sendable {
    /// When the caller stops waiting; nil when it set no deadline.
    public let deadline: NIODeadline?
    /// Where the work logs; for an RPC call, the call's logger with its request id.
    public let logger: Logger

    /// Work for a caller that gives up at `deadline` (nil: never).
    public init(deadline: NIODeadline?, logger: Logger) {
        self.deadline = deadline
        self.logger = logger
    }

    /// The work of the RPC call `context` describes.
    public init(_ context: RPCCallContext) {
        self.init(deadline: context.deadline, logger: context.logger)
    }
}

extension Database {
    /// ``withConnection(_:logger:requiresAvailability:_:)`` for an RPC call.
    public func withConnection<Result: Sendable>(
        for call: DatabaseCall,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(RPCError) -> Result {
        try await withConnection(budget(deadline: call.deadline), logger: call.logger, body)
    }
}
