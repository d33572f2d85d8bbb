public import RPC

extension RPCMethod where Request == RegisterUserRequest, Response == User {
    /// Creates a user with a salted, slow hash of the password.
    ///
    /// Errors: `invalidArgument` (username not 1–50 of `[A-Za-z0-9_.-]`, password not 8–128
    /// characters), `alreadyExists` (username taken). Not idempotent: a repeat is `alreadyExists`.
    public static let registerUser = RPCMethod(name: "users.register", isIdempotent: false, errors: [.alreadyExists])
}

extension RPCMethod where Request == VerifyCredentialsRequest, Response == User {
    /// Checks a username and password; answers the user when they match.
    ///
    /// Errors: `unauthenticated` for an unknown user and for a wrong password alike (same
    /// message, similar time), so callers cannot probe which usernames exist;
    /// `resourceExhausted` while the account is throttled or password hashing is saturated.
    ///
    /// Superseded by ``logIn``, which says how long a throttled account must wait; kept so that
    /// workers of the previous release keep working while a release rolls out.
    public static let verifyCredentials = RPCMethod(name: "users.verifyCredentials", isIdempotent: true)
}

extension RPCMethod where Request == VerifyCredentialsRequest, Response == LogInOutcome {
    /// A login attempt: counts against the account's allowance of failed attempts, then checks
    /// the password. Unknown users and wrong passwords are the same `refused` outcome after the
    /// same work, and unknown usernames are throttled like existing ones, so neither the answer,
    /// its timing nor the throttle tells which usernames exist.
    ///
    /// Errors: `resourceExhausted` when password hashing is saturated (nothing was checked).
    /// Safe to retry: a repeat may count one more attempt against the account, and changes
    /// nothing else.
    public static let logIn = RPCMethod(name: "users.logIn", isIdempotent: true)
}

extension RPCMethod where Request == GetUserRequest, Response == User {
    /// Errors: `notFound` (no such user).
    public static let getUser = RPCMethod(name: "users.get", isIdempotent: true, errors: [.notFound])
}
