import MicropostsModels
import RPC
import ServiceKit
import XCTest

@testable import DataService

/// The limits' settings and bookkeeping, without a database.
final class CostLimitTests: XCTestCase {
    func testDefaultsFollowThePoolSize() throws {
        var reader = ConfigReader(arguments: [], environment: [:])
        let costs = DataServiceConfiguration.readCosts(from: &reader, poolSize: 8)
        try reader.finish()
        XCTAssertEqual(costs, CostLimits(maximumResultWindow: 10_000, expensiveCallsPerCaller: 2, expensiveStatements: 6))
        XCTAssertEqual(CostLimits().expensiveStatements(poolSize: 8), 6)
        XCTAssertEqual(CostLimits().expensiveStatements(poolSize: 2), 1, "a tiny pool still lets one search run")
    }

    func testFlagsAndEnvironment() throws {
        var reader = ConfigReader(
            arguments: ["--expensive-calls-per-user", "3", "--db-expensive-statements", "4"],
            environment: ["MAX_RESULT_WINDOW": "500"])
        let costs = DataServiceConfiguration.readCosts(from: &reader, poolSize: 8)
        try reader.finish()
        XCTAssertEqual(costs, CostLimits(maximumResultWindow: 500, expensiveCallsPerCaller: 3, expensiveStatements: 4))
    }

    func testNonsenseIsRefused() {
        for arguments in [
            ["--db-expensive-statements", "9"],  // more than the pool
            ["--max-result-window", "99"],  // less than one page of 100
            ["--expensive-calls-per-user", "0"],
        ] {
            var reader = ConfigReader(arguments: arguments, environment: [:])
            _ = DataServiceConfiguration.readCosts(from: &reader, poolSize: 8)
            XCTAssertThrowsError(try reader.finish(), "\(arguments)")
        }
    }

    func testPageDepth() {
        let limit = PageDepthLimit(maximumResultWindow: 10_000)
        XCTAssertNoThrow(try limit.check(PageRequest(page: 100, size: 100)))
        XCTAssertNoThrow(try limit.check(PageRequest(page: 10_000, size: 1)))
        XCTAssertThrowsError(try limit.check(PageRequest(page: 101, size: 100))) { error in
            let error = error as? RPCError
            XCTAssertEqual(error?.code, .invalidArgument)
            XCTAssertTrue(error?.message.hasPrefix("page: page × size must be at most 10000") ?? false, "\(String(describing: error))")
        }
    }

    func testGateCountsPerCallerAndInTotal() throws {
        let gate = ExpensiveCallGate(perCaller: 2, total: 3)
        try gate.admit("ana")
        try gate.admit("ana")
        XCTAssertThrowsError(try gate.admit("ana")) { XCTAssertEqual(($0 as? RPCError)?.code, .resourceExhausted) }
        try gate.admit("ben")
        XCTAssertThrowsError(try gate.admit("cy")) { XCTAssertEqual(($0 as? RPCError)?.code, .unavailable) }
        XCTAssertEqual(gate.running, 3)
        gate.release("ana")
        try gate.admit("cy")
        gate.release("ana")
        gate.release("ben")
        gate.release("cy")
        XCTAssertEqual(gate.running, 0)
        try gate.admit("ana")
        try gate.admit("ana")
    }
}
