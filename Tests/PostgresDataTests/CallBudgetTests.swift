import NIOCore
import PostgresData
import RPC
import XCTest

final class CallBudgetTests: XCTestCase {
    func testLimitIsTheSmallerOfDeadlineAndStatementTimeout() throws {
        let now = NIODeadline.now()
        XCTAssertEqual(
            try CallBudget(deadline: now + .milliseconds(300), statementTimeout: .seconds(5)).statementLimit(now: now), .milliseconds(300))
        XCTAssertEqual(try CallBudget(deadline: now + .seconds(60), statementTimeout: .seconds(5)).statementLimit(now: now), .seconds(5))
        XCTAssertEqual(try CallBudget(deadline: nil, statementTimeout: .seconds(5)).statementLimit(now: now), .seconds(5))
        XCTAssertEqual(try CallBudget(deadline: nil, statementTimeout: .zero).statementLimit(now: now), .zero)
        XCTAssertEqual(try CallBudget(deadline: now + .seconds(2), statementTimeout: .zero).statementLimit(now: now), .seconds(2))
    }

    func testExpiredDeadlineIsDeadlineExceeded() {
        let now = NIODeadline.now()
        XCTAssertThrowsError(try CallBudget(deadline: now - .milliseconds(1), statementTimeout: .seconds(5)).statementLimit(now: now)) {
            error in
            XCTAssertEqual((error as? RPCError)?.code, .deadlineExceeded)
        }
    }
}
