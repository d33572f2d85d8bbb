import PostgresData
import PostgresNIO
import PostgresTestSupport
import RPC
import XCTest

final class DatabaseErrorMappingTests: XCTestCase {
    func testSQLStatesMapToStatuses() {
        let cases: [(String, String?, RPCStatusCode)] = [
            ("23505", "items_sku_key", .alreadyExists),
            ("23503", "stock_item_id_fkey", .invalidArgument),
            ("23514", "items_name_check", .invalidArgument),
            ("23502", nil, .invalidArgument),
            ("22021", nil, .invalidArgument),
            ("22001", nil, .invalidArgument),
            ("57014", nil, .deadlineExceeded),
            ("08006", nil, .unavailable),
            ("57P01", nil, .unavailable),
            ("28P01", nil, .unavailable),
            ("40001", nil, .unavailable),
            ("40P01", nil, .unavailable),
            ("55P03", nil, .unavailable),
            ("42P01", nil, .internal),
        ]
        let mapping = DatabaseErrorMapping()
        for (state, constraint, code) in cases {
            XCTAssertEqual(mapping.rpcError(sqlState: state, constraint: constraint).code, code, state)
        }
        XCTAssertEqual(mapping.rpcError(sqlState: "23505", constraint: "items_sku_key").message, "already exists")
        XCTAssertTrue(mapping.rpcError(sqlState: "23514", constraint: "items_name_check").message.contains("items_name_check"))
    }

    /// The app names its constraints; a violation of one becomes the app's error, other
    /// constraints keep the generic one, and constraint names never apply outside class 23.
    func testTheAppsConstraintErrorsComeFirst() {
        let mapping = DatabaseErrorMapping(constraintErrors: [
            "items_sku_key": .alreadyExists("sku: already in the catalogue"),
            "items_name_check": .invalidArgument("name: must be 1–100 characters long"),
            "stock_quantity_check": .failedPrecondition("quantity: not enough in stock"),
        ])
        XCTAssertEqual(mapping.rpcError(sqlState: "23505", constraint: "items_sku_key"), .alreadyExists("sku: already in the catalogue"))
        XCTAssertEqual(
            mapping.rpcError(sqlState: "23514", constraint: "items_name_check"), .invalidArgument("name: must be 1–100 characters long"))
        XCTAssertEqual(
            mapping.rpcError(sqlState: "23514", constraint: "stock_quantity_check"), .failedPrecondition("quantity: not enough in stock"))
        XCTAssertEqual(mapping.rpcError(sqlState: "23505", constraint: "other_key"), .alreadyExists("already exists"))
        XCTAssertEqual(mapping.rpcError(sqlState: "57014", constraint: "items_sku_key").code, .deadlineExceeded)
    }

    func testRPCErrorsPassThroughAndOthersAreInternal() {
        let mapping = DatabaseErrorMapping()
        XCTAssertEqual(mapping.rpcError(for: RPCError.notFound("x"), logger: quietLogger), RPCError.notFound("x"))
        XCTAssertEqual(mapping.rpcError(for: CancellationError(), logger: quietLogger).code, .cancelled)
        struct Odd: Error {}
        XCTAssertEqual(mapping.rpcError(for: Odd(), logger: quietLogger), .internal("internal error"))
    }

    /// Through a real server: the app's table applies to what PostgreSQL reports.
    func testAConstraintViolationOnTheServerBecomesTheAppsError() async throws {
        let mapping = DatabaseErrorMapping(constraintErrors: ["items_sku_key": .alreadyExists("sku: already in the catalogue")])
        try await withTimeLimit {
            try await withDatabase(errorMapping: mapping) { (database: Database) async throws -> Void in
                try await Self.run("CREATE TABLE items (sku text UNIQUE, name text CHECK (name <> ''))", on: database)
                try await Self.run("INSERT INTO items VALUES ('a-1', 'bolt')", on: database)
                await assertRPCError(.alreadyExists, messageContains: "sku: already in the catalogue") {
                    try await Self.run("INSERT INTO items VALUES ('a-1', 'nut')", on: database)
                }
                await assertRPCError(.invalidArgument, messageContains: "items_name_check") {
                    try await Self.run("INSERT INTO items VALUES ('a-2', '')", on: database)
                }
            }
        }
    }

    private static func run(_ query: PostgresQuery, on database: Database) async throws(RPCError) {
        let call = DatabaseCall(deadline: .now() + .seconds(10), logger: quietLogger)
        try await database.withConnection(for: call) { (connection: PostgresConnection) async throws -> Void in
            try await connection.run(query, logger: quietLogger)
        }
    }
}
