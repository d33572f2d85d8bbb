import XCTest

@testable import MasterService

final class RestartPolicyTests: XCTestCase {
    func testBackoffDoublesUpToTheCap() {
        let policy = RestartPolicy(backoffBase: .milliseconds(250), backoffCap: .seconds(2))
        XCTAssertEqual(
            (1...6).map { policy.delay(consecutiveFailures: $0) },
            [
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(2), .seconds(2),
            ])
    }

    func testHugeFailureCountsDoNotOverflow() {
        let policy = RestartPolicy(backoffBase: .seconds(1), backoffCap: .seconds(10))
        XCTAssertEqual(policy.delay(consecutiveFailures: 10_000), .seconds(10))
    }
}

final class CrashHistoryTests: XCTestCase {
    let policy = RestartPolicy(backoffBase: .milliseconds(100), backoffCap: .seconds(10), crashLoopExits: 3, crashLoopWindow: .seconds(30))
    let start = ContinuousClock.now

    func testExitsWithinTheWindowMakeACrashLoopReportedOnce() {
        var history = CrashHistory()
        let first = history.recordExit(at: start, readySince: nil, policy: policy)
        let second = history.recordExit(at: start + .seconds(1), readySince: nil, policy: policy)
        let third = history.recordExit(at: start + .seconds(2), readySince: nil, policy: policy)
        let fourth = history.recordExit(at: start + .seconds(12), readySince: nil, policy: policy)
        XCTAssertEqual(first, .init(delay: .milliseconds(100), isLooping: false, startedLooping: false))
        XCTAssertEqual(second, .init(delay: .milliseconds(200), isLooping: false, startedLooping: false))
        // In a loop the restart rate is bounded by the cap, whatever the backoff would say.
        XCTAssertEqual(third, .init(delay: .seconds(10), isLooping: true, startedLooping: true))
        XCTAssertEqual(fourth, .init(delay: .seconds(10), isLooping: true, startedLooping: false))
    }

    func testExitsSpreadBeyondTheWindowAreNoLoop() {
        var history = CrashHistory()
        for minute in 0..<5 {
            let decision = history.recordExit(at: start + .seconds(minute * 60), readySince: nil, policy: policy)
            XCTAssertFalse(decision.isLooping)
        }
    }

    func testAnInstanceThatServedAWholeWindowRestartsTheBackoff() {
        var history = CrashHistory()
        _ = history.recordExit(at: start, readySince: nil, policy: policy)
        _ = history.recordExit(at: start + .seconds(1), readySince: nil, policy: policy)
        let later = history.recordExit(at: start + .seconds(100), readySince: start + .seconds(2), policy: policy)
        XCTAssertEqual(later.delay, .milliseconds(100))
        XCTAssertEqual(history.consecutiveFailures, 1)
    }

    func testHealthForAWindowEndsTheLoop() {
        var history = CrashHistory()
        for second in 0..<3 { _ = history.recordExit(at: start + .seconds(second), readySince: nil, policy: policy) }
        XCTAssertTrue(history.isLooping)
        XCTAssertFalse(history.noteHealthy(at: start + .seconds(20), readySince: start + .seconds(3), policy: policy))
        XCTAssertTrue(history.noteHealthy(at: start + .seconds(40), readySince: start + .seconds(3), policy: policy))
        XCTAssertFalse(history.isLooping)
        XCTAssertFalse(history.noteHealthy(at: start + .seconds(50), readySince: start + .seconds(3), policy: policy))
    }
}

final class RecyclePolicyTests: XCTestCase {
    func testDisabledPolicyNeverRecycles() {
        XCTAssertNil(RecyclePolicy().reason(for: Usage(requests: 1_000_000, residentBytes: 1 << 40)))
    }

    func testRequestLimitIsInclusive() {
        let policy = RecyclePolicy(maximumRequests: 100)
        XCTAssertNil(policy.reason(for: Usage(requests: 99)))
        XCTAssertEqual(policy.reason(for: Usage(requests: 100)), .requests(served: 100, limit: 100))
        XCTAssertNil(policy.reason(for: Usage(requests: nil)))
    }

    func testMemoryLimitMustBeExceeded() {
        let policy = RecyclePolicy(maximumResidentBytes: 64 << 20)
        XCTAssertNil(policy.reason(for: Usage(residentBytes: 64 << 20)))
        XCTAssertEqual(
            policy.reason(for: Usage(residentBytes: (64 << 20) + 1)),
            .memory(residentBytes: (64 << 20) + 1, limit: 64 << 20))
    }
}

final class ReplacementQueueTests: XCTestCase {
    func testOneAtATimeWithoutDuplicates() {
        var queue = ReplacementQueue()
        let a = SlotID(.worker, 0)
        let b = SlotID(.worker, 1)
        XCTAssertTrue(queue.enqueue(a, reason: .reload))
        XCTAssertTrue(queue.enqueue(b, reason: .reload))
        XCTAssertFalse(queue.enqueue(a, reason: .requests(served: 5, limit: 5)))
        XCTAssertEqual(queue.startNext()?.slot, a)
        XCTAssertNil(queue.startNext(), "a second replacement must wait for the first")
        XCTAssertFalse(queue.enqueue(a, reason: .reload), "a running slot is not queued again")
        queue.finish(a)
        XCTAssertEqual(queue.startNext()?.slot, b)
        XCTAssertTrue(queue.hasReloadWork)
        queue.finish(b)
        XCTAssertFalse(queue.hasReloadWork)
        XCTAssertTrue(queue.isIdle)
    }
}
