/// A typed method descriptor: one declaration, shared by client and server, fixes the method's
/// wire name, its request and response types, and whether repeating it is harmless.
///
/// ```swift
/// extension RPCMethod where Request == GetUser, Response == User {
///     static let getUser = RPCMethod(name: "users.get", isIdempotent: true)
/// }
/// ```
public struct RPCMethod<Request: Codable & Sendable, Response: Codable & Sendable>: Sendable, CustomStringConvertible {
    public let name: String
    /// Idempotent methods may be retried after a transport failure even when the request may
    /// have reached the server; others are retried only when it provably did not.
    public let isIdempotent: Bool

    public init(name: String, isIdempotent: Bool) {
        self.name = name
        self.isIdempotent = isIdempotent
    }

    public var description: String { name }
}
