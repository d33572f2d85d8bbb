import RPC
import XCTest

@testable import DataService

final class DatabaseErrorMappingTests: XCTestCase {
    func testSQLStatesMapToStatuses() {
        let cases: [(String, String?, RPCStatusCode)] = [
            ("23505", "users_username_key", .alreadyExists),
            ("23503", "microposts_referenced_id_fkey", .invalidArgument),
            ("23514", "microposts_text_check", .invalidArgument),
            ("22021", nil, .invalidArgument),
            ("57014", nil, .deadlineExceeded),
            ("08006", nil, .unavailable),
            ("57P01", nil, .unavailable),
            ("28P01", nil, .unavailable),
            ("40001", nil, .unavailable),
            ("42P01", nil, .internal),
        ]
        for (state, constraint, code) in cases {
            XCTAssertEqual(DatabaseErrorMapping.mapServerError(sqlState: state, constraint: constraint).code, code, state)
        }
        XCTAssertTrue(
            DatabaseErrorMapping.mapServerError(sqlState: "23514", constraint: "microposts_text_check").message.hasPrefix("text:"))
        XCTAssertTrue(
            DatabaseErrorMapping.mapServerError(sqlState: "23505", constraint: "users_username_key").message.hasPrefix("username:"))
    }

    func testRPCErrorsPassThroughAndOthersAreInternal() {
        let passed = DatabaseErrorMapping.rpcError(for: RPCError.notFound("x"), logger: quietLogger)
        XCTAssertEqual(passed, RPCError.notFound("x"))
        struct Odd: Error {}
        XCTAssertEqual(DatabaseErrorMapping.rpcError(for: Odd(), logger: quietLogger).code, .internal)
        XCTAssertEqual(DatabaseErrorMapping.rpcError(for: Odd(), logger: quietLogger).message, "internal error")
    }
}
