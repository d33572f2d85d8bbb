import XCTest

@testable import RPC

final class BackoffAndRetryTests: XCTestCase {
    func testBackoffGrowsWithinCapAndResets() {
        var backoff = Backoff(base: .milliseconds(100), cap: .seconds(1), seed: 7)
        var ceilings: [Duration] = []
        for attempt in 0..<8 {
            let wait = backoff.next()
            let ceiling = min(Duration.seconds(1), .milliseconds(100) * (1 << attempt))
            XCTAssertGreaterThanOrEqual(wait, .zero)
            XCTAssertLessThanOrEqual(wait, ceiling)
            ceilings.append(ceiling)
        }
        backoff.reset()
        XCTAssertLessThanOrEqual(backoff.next(), .milliseconds(100))
    }

    func testJitterSpreadsClients() {
        let waits = (0..<20).map { seed -> Duration in
            var backoff = Backoff(base: .seconds(1), cap: .seconds(1), seed: UInt64(seed))
            return backoff.next()
        }
        XCTAssertGreaterThan(Set(waits).count, 15)
    }

    func testRetryBudgetLimitsRetriesToARatioOfCalls() {
        let budget = RetryBudget(ratio: 0.2, reserve: 2)
        XCTAssertTrue(budget.tryWithdraw())
        XCTAssertTrue(budget.tryWithdraw())
        XCTAssertFalse(budget.tryWithdraw(), "reserve spent")
        for _ in 0..<10 { budget.recordCall() }
        XCTAssertTrue(budget.tryWithdraw())
        XCTAssertTrue(budget.tryWithdraw())
        XCTAssertFalse(budget.tryWithdraw(), "ten calls buy two retries")
    }

    func testOnlySafeFailuresAreRetried() {
        XCTAssertTrue(RetryInterceptor.isSafeToRetry(RPCError(.unavailable, "", wasProcessed: false), isIdempotent: false))
        XCTAssertTrue(RetryInterceptor.isSafeToRetry(RPCError(.resourceExhausted, "", wasProcessed: false), isIdempotent: false))
        XCTAssertFalse(RetryInterceptor.isSafeToRetry(RPCError(.unavailable, "", wasProcessed: true), isIdempotent: false))
        XCTAssertTrue(RetryInterceptor.isSafeToRetry(RPCError(.unavailable, "", wasProcessed: true), isIdempotent: true))
        XCTAssertFalse(RetryInterceptor.isSafeToRetry(RPCError(.deadlineExceeded, "", wasProcessed: false), isIdempotent: true))
        XCTAssertFalse(RetryInterceptor.isSafeToRetry(RPCError(.notFound, ""), isIdempotent: true))
    }
}
