import PostgresData
import RPC

extension DatabaseErrorMapping {
    /// What a violation of each of Microposts' constraints tells the caller: the field at
    /// fault. The names are PostgreSQL's defaults for the schema in `Migrations/SQL`.
    static let microposts = DatabaseErrorMapping(constraintErrors: [
        "users_username_key": .alreadyExists(UserRepository.takenMessage),
        "users_username_lower_key": .alreadyExists(UserRepository.takenMessage),
        "users_username_check": .invalidArgument("username: must be 1–50 of A-Z, a-z, 0-9, '_', '.', '-'"),
        "microposts_text_check": .invalidArgument("text: must be 1–255 characters long"),
        "microposts_referenced_id_fkey": .invalidArgument("referenced: no such user"),
        "microposts_author_id_fkey": .invalidArgument("username: no such user"),
        "follows_check": .invalidArgument("other: a user cannot follow themselves"),
        "follows_pkey": .alreadyExists("other: already followed"),
        "follows_follower_id_fkey": .invalidArgument("other: no such user"),
        "follows_followed_id_fkey": .invalidArgument("other: no such user"),
        "revoked_tokens_token_id_check": .invalidArgument("tokenID: must be 1–200 characters long"),
    ])
}
