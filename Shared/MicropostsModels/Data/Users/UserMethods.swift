import RPC

extension RPCMethod where Request == RegisterUserRequest, Response == User {
    /// Creates a user with a salted, slow hash of the password.
    ///
    /// Errors: `invalidArgument` (username not 1–50 of `[A-Za-z0-9_.-]`, password not 8–128
    /// characters), `alreadyExists` (username taken). Not idempotent: a repeat is `alreadyExists`.
    public static let registerUser = RPCMethod(name: "users.register", isIdempotent: false)
}

extension RPCMethod where Request == VerifyCredentialsRequest, Response == User {
    /// Checks a username and password; answers the user when they match.
    ///
    /// Errors: `unauthenticated` for an unknown user and for a wrong password alike (same
    /// message, similar time), so callers cannot probe which usernames exist.
    public static let verifyCredentials = RPCMethod(name: "users.verifyCredentials", isIdempotent: true)
}

extension RPCMethod where Request == GetUserRequest, Response == User {
    /// Errors: `notFound` (no such user).
    public static let getUser = RPCMethod(name: "users.get", isIdempotent: true)
}
