/// A typed method descriptor: one declaration, shared by client and server, fixes the method's
/// wire name, its request and response types, and whether repeating it is harmless.
///
/// ```swift
/// extension RPCMethod where Request == GetUser, Response == User {
///     static let getUser = RPCMethod(name: "users.get", isIdempotent: true)
/// }
/// ```
public struct RPCMethod<Request: WireMessage, Response: WireMessage>: Sendable, CustomStringConvertible {
    public let name: String
    /// Idempotent methods may be retried after a transport failure even when the request may
    /// have reached the server; others are retried only when it provably did not.
    public let isIdempotent: Bool
    /// Raised for a change the contract rules do not allow; a client sends a call only to an
    /// instance that serves this version of the method.
    public let version: Int
    /// The statuses the handler answers besides the ones any call may end with
    /// (``RPCStatusCode/transportStatuses``): part of the contract, since a caller has to
    /// handle each.
    public let errors: Set<RPCStatusCode>

    /// What the wire and the catalog call it: `name` for version 1, `name@vN` after.
    public let wireName: String

    public init(name: String, isIdempotent: Bool, version: Int = 1, errors: Set<RPCStatusCode> = []) {
        self.name = name
        self.wireName = version == 1 ? name : "\(name)@v\(version)"
        self.isIdempotent = isIdempotent
        self.version = version
        self.errors = errors
    }

    public var description: String { name }
}
