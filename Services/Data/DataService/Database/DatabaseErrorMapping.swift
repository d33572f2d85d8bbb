import Logging
import PostgresNIO
import RPC

/// Turns what PostgreSQL and PostgresNIO throw into the RPC status a caller can act on.
///
/// Messages name the field at fault where a constraint tells which one; server messages
/// themselves may contain row data and go to the log only.
enum DatabaseErrorMapping {
    static func rpcError(for error: any Error, logger: Logger) -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(.cancelled, "call cancelled") }
        guard let error = error as? PSQLError else {
            return logged(RPCError.internal("internal error"), error, logger: logger)
        }
        if let sqlState = error.serverInfo?[.sqlState] {
            return logged(mapServerError(sqlState: sqlState, constraint: error.serverInfo?[.constraintName]), error, logger: logger)
        }
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed,
            .sslUnsupported, .failedToAddSSLHandler, .saslError, .unsupportedAuthMechanism, .authMechanismRequiresPassword:
            return logged(RPCError.unavailable("database connection failed"), error, logger: logger)
        case .queryCancelled:
            return logged(RPCError(.cancelled, "query cancelled"), error, logger: logger)
        default:
            return logged(RPCError.internal("internal error"), error, logger: logger)
        }
    }

    /// SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
    static func mapServerError(sqlState: String, constraint: String?) -> RPCError {
        switch sqlState {
        case "23505":
            return .alreadyExists(constraintMessage(constraint) ?? "already exists")
        case "23503", "23514", "23502":
            return .invalidArgument(constraintMessage(constraint) ?? "a value breaks a database constraint (\(constraint ?? "unnamed"))")
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

    /// Constraint names are PostgreSQL's defaults for the schema in `Migrations/SQL`.
    private static func constraintMessage(_ constraint: String?) -> String? {
        switch constraint {
        case "users_username_key", "users_username_lower_key": UserRepository.takenMessage
        case "users_username_check": "username: must be 1–50 of A-Z, a-z, 0-9, '_', '.', '-'"
        case "microposts_text_check": "text: must be 1–255 characters long"
        case "microposts_referenced_id_fkey": "referenced: no such user"
        case "microposts_author_id_fkey": "username: no such user"
        case "follows_check": "other: a user cannot follow themselves"
        case "follows_pkey": "other: already followed"
        case "follows_follower_id_fkey", "follows_followed_id_fkey": "other: no such user"
        case "revoked_tokens_token_id_check": "tokenID: must be 1–200 characters long"
        default: nil
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
