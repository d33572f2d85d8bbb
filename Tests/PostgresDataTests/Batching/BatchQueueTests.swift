import PostgresData
import XCTest

/// The batching rules, without I/O.
final class BatchQueueTests: XCTestCase {
    func testAReadStartsABatchAtOnceWhileASlotIsFree() {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 2)
        XCTAssertEqual(queue.enqueue(1, waiter: 100, now: 0)?.keys, [1])
        XCTAssertEqual(queue.enqueue(2, waiter: 101, now: 0)?.keys, [2])
        XCTAssertEqual(queue.runningBatches, 2)
        XCTAssertNil(queue.enqueue(3, waiter: 102, now: 0), "both slots busy: the read waits")
        XCTAssertEqual(queue.queuedKeyCount, 1)
    }

    func testAFinishedBatchTakesTheQueueInArrivalOrderAndCoalescesKeys() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1)
        let first = try XCTUnwrap(queue.enqueue(1, waiter: 1, now: 0))
        for (waiter, key) in [(2, 7), (3, 5), (4, 7), (5, 9), (6, 5)] {
            XCTAssertNil(queue.enqueue(key, waiter: UInt64(waiter), now: 0))
        }
        let next = try XCTUnwrap(queue.batchFinished(first, now: 0))
        XCTAssertEqual(next.keys, [7, 5, 9], "one key per row, first come first")
        XCTAssertEqual(next.waiters.map(\.waiter), [2, 4, 3, 6, 5])
        XCTAssertEqual(next.waiters.map(\.key), [7, 7, 5, 5, 9])
        XCTAssertEqual(queue.runningBatches, 1, "the slot goes straight to the next batch")
        XCTAssertNil(queue.batchFinished(next, now: 0))
        XCTAssertEqual(queue.runningBatches, 0)
    }

    func testBatchesAreCappedAndTheRestWaitsForTheNext() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 3, maximumConcurrentBatches: 1)
        var batch = try XCTUnwrap(queue.enqueue(0, waiter: 0, now: 0))
        for key in 1...7 { XCTAssertNil(queue.enqueue(key, waiter: UInt64(key), now: 0)) }
        for expected in [[1, 2, 3], [4, 5, 6], [7]] {
            batch = try XCTUnwrap(queue.batchFinished(batch, now: 0))
            XCTAssertEqual(batch.keys, expected)
        }
        XCTAssertNil(queue.batchFinished(batch, now: 0))
    }

    func testAReadIsNeverAddedToARunningBatch() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1)
        let first = try XCTUnwrap(queue.enqueue(1, waiter: 1, now: 0))
        XCTAssertEqual(first.keys, [1])
        XCTAssertNil(queue.enqueue(1, waiter: 2, now: 0), "same key, but its statement may predate this caller's write")
        XCTAssertEqual(queue.batchFinished(first, now: 0)?.waiters.map(\.waiter), [2])
    }

    func testCancelledReadsLeaveTheQueue() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1)
        let first = try XCTUnwrap(queue.enqueue(1, waiter: 1, now: 0))
        _ = queue.enqueue(2, waiter: 2, now: 0)
        _ = queue.enqueue(2, waiter: 3, now: 0)
        _ = queue.enqueue(3, waiter: 4, now: 0)
        XCTAssertFalse(queue.cancel(1, key: 1), "already running")
        XCTAssertTrue(queue.cancel(2, key: 2))
        XCTAssertTrue(queue.cancel(4, key: 3))
        XCTAssertFalse(queue.cancel(4, key: 3), "only once")
        let next = try XCTUnwrap(queue.batchFinished(first, now: 0))
        XCTAssertEqual(next.keys, [2])
        XCTAssertEqual(next.waiters.map(\.waiter), [3])
    }

    func testRemoveAllReturnsEveryQueuedWaiter() throws {
        var queue = BatchQueue<String>(maximumBatchSize: 10, maximumConcurrentBatches: 1)
        let first = try XCTUnwrap(queue.enqueue("a", waiter: 1, now: 0))
        _ = queue.enqueue("b", waiter: 2, now: 0)
        _ = queue.enqueue("b", waiter: 3, now: 0)
        _ = queue.enqueue("c", waiter: 4, now: 0)
        XCTAssertEqual(Set(queue.removeAll()), [2, 3, 4])
        XCTAssertEqual(queue.queuedKeyCount, 0)
        XCTAssertNil(queue.batchFinished(first, now: 0))
    }

    // MARK: - Slow batches

    /// A batch past the slow age no longer holds its slot: the next request starts a batch
    /// of everything queued beside it, and a batch that then finishes frees its slot as usual.
    func testABatchPastTheSlowAgeLetsTheQueueStartAnotherBesideIt() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1, slowBatchAge: 100)
        let stuck = try XCTUnwrap(queue.enqueue(1, waiter: 1, now: 1_000))
        XCTAssertFalse(stuck.isBesideSlowBatches)
        XCTAssertNil(queue.enqueue(2, waiter: 2, now: 1_050), "the running batch is not slow yet")
        XCTAssertEqual(queue.nextSlowDeadline(now: 1_050), 1_100)
        let beside = try XCTUnwrap(queue.enqueue(3, waiter: 3, now: 1_100), "100 ns old: slow")
        XCTAssertEqual(beside.keys, [2, 3], "it takes the whole queue")
        XCTAssertTrue(beside.isBesideSlowBatches)
        XCTAssertEqual(queue.runningBatches, 2)
        XCTAssertNil(queue.enqueue(4, waiter: 4, now: 1_150), "the new batch holds the slot")
        // The batch beside finishes while the stuck one still runs: its slot takes the queue.
        let next = try XCTUnwrap(queue.batchFinished(beside, now: 1_160))
        XCTAssertEqual(next.keys, [4])
        XCTAssertTrue(next.isBesideSlowBatches, "it too runs only because the first is slow")
        XCTAssertNil(queue.batchFinished(next, now: 1_170))
        XCTAssertNil(queue.batchFinished(stuck, now: 1_500))
        XCTAssertEqual(queue.runningBatches, 0)
    }

    /// Slow batches never make room for more than twice the slots, whatever their age.
    func testSlowBatchesAtMostDoubleTheBatchesRunning() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1, slowBatchAge: 100)
        _ = try XCTUnwrap(queue.enqueue(1, waiter: 1, now: 0))
        _ = try XCTUnwrap(queue.enqueue(2, waiter: 2, now: 200))
        XCTAssertNil(queue.enqueue(3, waiter: 3, now: 10_000), "both slow, but two already run")
        XCTAssertNil(queue.nextSlowDeadline(now: 10_000), "no timer could start one either")
        XCTAssertNil(queue.startBesideSlowBatches(now: 20_000))
    }

    /// With no request arriving, a timer at ``BatchQueue/nextSlowDeadline(now:)`` starts the
    /// batch of those already waiting.
    func testWaitingRequestsStartBesideABatchThatTurnsSlowWithoutNewArrivals() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1, slowBatchAge: 100)
        XCTAssertNil(queue.nextSlowDeadline(now: 0), "nothing waits")
        _ = try XCTUnwrap(queue.enqueue(1, waiter: 1, now: 0))
        XCTAssertNil(queue.enqueue(2, waiter: 2, now: 10))
        let deadline = try XCTUnwrap(queue.nextSlowDeadline(now: 10))
        XCTAssertEqual(deadline, 100)
        XCTAssertNil(queue.startBesideSlowBatches(now: 99), "too early")
        XCTAssertEqual(queue.startBesideSlowBatches(now: deadline)?.keys, [2])
        XCTAssertNil(queue.nextSlowDeadline(now: deadline), "nothing waits any more")
    }

    /// A request whose clock reading predates the running batch's start (it read the clock
    /// before another thread took the lock and started that batch) finds the batch young.
    func testARequestTimedBeforeTheRunningBatchStartedFindsItYoung() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1, slowBatchAge: 100)
        _ = try XCTUnwrap(queue.enqueue(1, waiter: 1, now: 5_000))
        XCTAssertNil(queue.enqueue(2, waiter: 2, now: 4_990))
        XCTAssertEqual(queue.runningBatches, 1)
    }

    func testWithoutASlowAgeARunningBatchHoldsItsSlotHoweverLong() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1)
        _ = try XCTUnwrap(queue.enqueue(1, waiter: 1, now: 0))
        XCTAssertNil(queue.enqueue(2, waiter: 2, now: 1_000_000_000_000))
        XCTAssertNil(queue.nextSlowDeadline(now: 0))
        XCTAssertNil(queue.startBesideSlowBatches(now: .max))
    }
}
