import PostgresData
import XCTest

/// The batching rules, without I/O.
final class BatchQueueTests: XCTestCase {
    func testAReadStartsABatchAtOnceWhileASlotIsFree() {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 2)
        XCTAssertEqual(queue.enqueue(1, waiter: 100)?.keys, [1])
        XCTAssertEqual(queue.enqueue(2, waiter: 101)?.keys, [2])
        XCTAssertEqual(queue.runningBatches, 2)
        XCTAssertNil(queue.enqueue(3, waiter: 102), "both slots busy: the read waits")
        XCTAssertEqual(queue.queuedKeyCount, 1)
    }

    func testAFinishedBatchTakesTheQueueInArrivalOrderAndCoalescesKeys() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1)
        _ = queue.enqueue(1, waiter: 1)
        for (waiter, key) in [(2, 7), (3, 5), (4, 7), (5, 9), (6, 5)] {
            XCTAssertNil(queue.enqueue(key, waiter: UInt64(waiter)))
        }
        let next = try XCTUnwrap(queue.batchFinished())
        XCTAssertEqual(next.keys, [7, 5, 9], "one key per row, first come first")
        XCTAssertEqual(next.waiters.map(\.waiter), [2, 4, 3, 6, 5])
        XCTAssertEqual(next.waiters.map(\.key), [7, 7, 5, 5, 9])
        XCTAssertEqual(queue.runningBatches, 1, "the slot goes straight to the next batch")
        XCTAssertNil(queue.batchFinished())
        XCTAssertEqual(queue.runningBatches, 0)
    }

    func testBatchesAreCappedAndTheRestWaitsForTheNext() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 3, maximumConcurrentBatches: 1)
        _ = queue.enqueue(0, waiter: 0)
        for key in 1...7 { XCTAssertNil(queue.enqueue(key, waiter: UInt64(key))) }
        XCTAssertEqual(try XCTUnwrap(queue.batchFinished()).keys, [1, 2, 3])
        XCTAssertEqual(try XCTUnwrap(queue.batchFinished()).keys, [4, 5, 6])
        XCTAssertEqual(try XCTUnwrap(queue.batchFinished()).keys, [7])
        XCTAssertNil(queue.batchFinished())
    }

    func testAReadIsNeverAddedToARunningBatch() {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1)
        XCTAssertEqual(queue.enqueue(1, waiter: 1)?.keys, [1])
        XCTAssertNil(queue.enqueue(1, waiter: 2), "same key, but its statement may predate this caller's write")
        XCTAssertEqual(queue.batchFinished()?.waiters.map(\.waiter), [2])
    }

    func testCancelledReadsLeaveTheQueue() throws {
        var queue = BatchQueue<Int>(maximumBatchSize: 10, maximumConcurrentBatches: 1)
        _ = queue.enqueue(1, waiter: 1)
        _ = queue.enqueue(2, waiter: 2)
        _ = queue.enqueue(2, waiter: 3)
        _ = queue.enqueue(3, waiter: 4)
        XCTAssertFalse(queue.cancel(1, key: 1), "already running")
        XCTAssertTrue(queue.cancel(2, key: 2))
        XCTAssertTrue(queue.cancel(4, key: 3))
        XCTAssertFalse(queue.cancel(4, key: 3), "only once")
        let next = try XCTUnwrap(queue.batchFinished())
        XCTAssertEqual(next.keys, [2])
        XCTAssertEqual(next.waiters.map(\.waiter), [3])
    }

    func testRemoveAllReturnsEveryQueuedWaiter() {
        var queue = BatchQueue<String>(maximumBatchSize: 10, maximumConcurrentBatches: 1)
        _ = queue.enqueue("a", waiter: 1)
        _ = queue.enqueue("b", waiter: 2)
        _ = queue.enqueue("b", waiter: 3)
        _ = queue.enqueue("c", waiter: 4)
        XCTAssertEqual(Set(queue.removeAll()), [2, 3, 4])
        XCTAssertEqual(queue.queuedKeyCount, 0)
        XCTAssertNil(queue.batchFinished())
    }
}
