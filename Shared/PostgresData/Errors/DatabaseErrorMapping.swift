public import Logging
import PostgresNIO
public import RPC

/// Turns what PostgreSQL and PostgresNIO throw into the RPC status a caller can act on.
///
/// The SQLSTATE classes map the same way for every app: a unique violation is
/// `alreadyExists`, other constraint and value errors are `invalidArgument`, a statement
/// cancelled by `statement_timeout` is `deadlineExceeded`, serialization failures, deadlocks,
/// lock timeouts and lost connections are `unavailable` (worth retrying), anything else is
/// `internal`. What only the app knows is which field a constraint guards: it names its
/// constraints in ``constraintErrors``, and a violation of one becomes that error instead.
///
/// Server messages may contain row data, so they go to the log only, never to the caller.
public struct DatabaseErrorMapping: Sendable {
    /// The error a violation of each named constraint becomes, e.g.
    /// `["users_username_key": .alreadyExists("username: already taken")]`.
    public var constraintErrors: [String: RPCError]

    /// The generic mapping, with `constraintErrors` for the app's own constraint names.
    public init(constraintErrors: [String: RPCError] = [:]) {
        self.constraintErrors = constraintErrors
    }

    /// The status for `error`: an `RPCError` passes through, a cancellation is `cancelled`, a
    /// `PSQLError` maps by SQLSTATE (see ``rpcError(sqlState:constraint:)``) or by what went
    /// wrong with the connection. Logged at `error` level when the result is `internal`
    /// (a bug or a schema mismatch), at `debug` otherwise.
    public func rpcError(for error: any Error, logger: Logger) -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(.cancelled, "call cancelled") }
        guard let error = error as? PSQLError else {
            return Self.logged(RPCError.internal("internal error"), error, logger: logger)
        }
        if let sqlState = error.serverInfo?[.sqlState] {
            return Self.logged(rpcError(sqlState: sqlState, constraint: error.serverInfo?[.constraintName]), error, logger: logger)
        }
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed,
            .sslUnsupported, .failedToAddSSLHandler, .saslError, .unsupportedAuthMechanism, .authMechanismRequiresPassword:
            return Self.logged(RPCError.unavailable("database connection failed"), error, logger: logger)
        case .queryCancelled:
            return Self.logged(RPCError(.cancelled, "query cancelled"), error, logger: logger)
        default:
            return Self.logged(RPCError.internal("internal error"), error, logger: logger)
        }
    }

    /// The status for a server error with SQLSTATE `sqlState`, raised by `constraint` if any.
    /// SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
    public func rpcError(sqlState: String, constraint: String?) -> RPCError {
        // Only integrity violations (class 23) name the constraint that was broken.
        if sqlState.hasPrefix("23"), let constraint, let mapped = constraintErrors[constraint] {
            return mapped
        }
        switch sqlState {
        case "23505":
            return .alreadyExists("already exists")
        case "23503", "23514", "23502":
            return .invalidArgument("a value breaks a database constraint (\(constraint ?? "unnamed"))")
        case "22001", "22003", "22021", "22P02", "22P05":
            return .invalidArgument("a value cannot be stored (SQLSTATE \(sqlState))")
        case "57014":
            return RPCError(.deadlineExceeded, "query cancelled: the call's time ran out")
        case "40001", "40P01", "55P03":
            return .unavailable("database conflict (SQLSTATE \(sqlState)); try again")
        case "57P01", "57P02", "57P03", "53300", "28000", "28P01", "3D000":
            return .unavailable("database unavailable (SQLSTATE \(sqlState))")
        case _ where sqlState.hasPrefix("08"):
            return .unavailable("database connection failed (SQLSTATE \(sqlState))")
        default:
            return .internal("internal error")
        }
    }

    private static func logged(_ mapped: RPCError, _ error: PSQLError, logger: Logger) -> RPCError {
        let info = error.serverInfo
        let level: Logger.Level = mapped.code == .internal ? .error : .debug
        logger.log(
            level: level, "database error",
            metadata: [
                "status": "\(mapped.code)",
                "sqlstate": "\(info?[.sqlState] ?? "-")",
                "constraint": "\(info?[.constraintName] ?? "-")",
                "detail": "\(info?[.message] ?? "\(error.code)")",
            ])
        return mapped
    }

    private static func logged(_ mapped: RPCError, _ error: any Error, logger: Logger) -> RPCError {
        logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
        return mapped
    }
}
