/// A call that did not succeed: a status code and a human-readable message.
///
/// `wasProcessed` is false when the server provably never ran the handler (the request was
/// never written, or a draining server refused it). Such calls are always safe to retry.
/// `connectionLost` is true when the connection broke after the call was written and before
/// its answer came: the server may or may not have run it, so a non-idempotent call's
/// outcome is unknown (unlike an `unavailable` the server itself sent, which did nothing).
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: RPCStatusCode
    public var message: String
    public var wasProcessed: Bool
    public var connectionLost: Bool

    public init(_ code: RPCStatusCode, _ message: String, wasProcessed: Bool = true, connectionLost: Bool = false) {
        self.code = code
        self.message = message
        self.wasProcessed = wasProcessed
        self.connectionLost = connectionLost
    }

    public var description: String { "\(code): \(message)" }

    public static func invalidArgument(_ message: String) -> RPCError { RPCError(.invalidArgument, message) }
    public static func notFound(_ message: String) -> RPCError { RPCError(.notFound, message) }
    public static func alreadyExists(_ message: String) -> RPCError { RPCError(.alreadyExists, message) }
    public static func failedPrecondition(_ message: String) -> RPCError { RPCError(.failedPrecondition, message) }
    public static func unavailable(_ message: String) -> RPCError { RPCError(.unavailable, message) }
    public static func `internal`(_ message: String) -> RPCError { RPCError(.internal, message) }
}
