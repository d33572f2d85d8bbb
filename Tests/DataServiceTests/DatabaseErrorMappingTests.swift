import PostgresData
import RPC
import XCTest

@testable import DataService

/// Microposts' constraint names on top of the kit's mapping: each names the field at fault.
final class DatabaseErrorMappingTests: XCTestCase {
    func testMicropostsConstraintsNameTheirField() {
        let cases: [(String, String, RPCStatusCode, String)] = [
            ("23505", "users_username_key", .alreadyExists, "username:"),
            ("23505", "users_username_lower_key", .alreadyExists, "username:"),
            ("23514", "users_username_check", .invalidArgument, "username:"),
            ("23503", "microposts_referenced_id_fkey", .invalidArgument, "referenced:"),
            ("23503", "microposts_author_id_fkey", .invalidArgument, "username:"),
            ("23514", "microposts_text_check", .invalidArgument, "text:"),
            ("23514", "follows_check", .invalidArgument, "other:"),
            ("23505", "follows_pkey", .alreadyExists, "other:"),
            ("23503", "follows_follower_id_fkey", .invalidArgument, "other:"),
            ("23503", "follows_followed_id_fkey", .invalidArgument, "other:"),
            ("23514", "revoked_tokens_token_id_check", .invalidArgument, "tokenID:"),
        ]
        for (state, constraint, code, prefix) in cases {
            let error = DatabaseErrorMapping.microposts.rpcError(sqlState: state, constraint: constraint)
            XCTAssertEqual(error.code, code, constraint)
            XCTAssertTrue(error.message.hasPrefix(prefix), "\(constraint): \(error.message)")
        }
        XCTAssertEqual(DatabaseErrorMapping.microposts.rpcError(sqlState: "57014", constraint: nil).code, .deadlineExceeded)
    }
}
