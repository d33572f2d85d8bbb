import NIOConcurrencyHelpers
import ServiceKit
import XCTest

final class TokenBucketTests: XCTestCase {
    func testTokenBucketAllowsABurstThenTheRate() {
        var bucket = TokenBucket(rate: 2, capacity: 3, now: 0)
        XCTAssertEqual(bucket.take(now: 0), .allowed)
        XCTAssertEqual(bucket.take(now: 0), .allowed)
        XCTAssertEqual(bucket.take(now: 0), .allowed)
        XCTAssertEqual(bucket.take(now: 0), .limited(retryAfter: 1))
        XCTAssertEqual(bucket.take(now: 0.5), .allowed, "half a second at 2/s refills one token")
        XCTAssertEqual(bucket.take(now: 0.5), .limited(retryAfter: 1))
        XCTAssertFalse(bucket.isFull(now: 1))
        XCTAssertTrue(bucket.isFull(now: 10))
        XCTAssertEqual(bucket.take(now: 100), .allowed)
        var slow = TokenBucket(rate: 0.1, capacity: 1, now: 0)
        XCTAssertEqual(slow.take(now: 0), .allowed)
        XCTAssertEqual(slow.take(now: 0), .limited(retryAfter: 10))
    }

    func testKeyedBucketsKeepOnePerKeyAndForgetRefilledOnes() {
        let clock = ManualClock()
        let buckets = KeyedTokenBuckets(ratePerSecond: 1, burst: 1, maximumKeys: 100, clock: clock.now)
        XCTAssertEqual(buckets.take("a"), .allowed)
        XCTAssertEqual(buckets.take("a"), .limited(retryAfter: 1))
        XCTAssertEqual(buckets.take("b"), .allowed)
        XCTAssertEqual(buckets.trackedKeys, 2)
        clock.advance(.seconds(60))
        XCTAssertEqual(buckets.take("c"), .allowed)
        XCTAssertEqual(buckets.trackedKeys, 1, "a and b refilled long ago and were swept")
    }

    func testKeysBeyondTheMaximumShareOneBucket() {
        let clock = ManualClock()
        let buckets = KeyedTokenBuckets(ratePerSecond: 1.0 / 60, burst: 1, maximumKeys: 3, clock: clock.now)
        for key in ["a", "b", "c"] { XCTAssertEqual(buckets.take(key), .allowed) }
        XCTAssertEqual(buckets.take("d"), .allowed)
        XCTAssertEqual(buckets.take("e"), .limited(retryAfter: 60))
        XCTAssertLessThanOrEqual(buckets.trackedKeys, 4)
    }
}

private final class ManualClock: Sendable {
    private let elapsed = NIOLockedValueBox<Duration>(.zero)
    private let start = ContinuousClock.now
    func now() -> ContinuousClock.Instant { start + elapsed.withLockedValue { $0 } }
    func advance(_ duration: Duration) { elapsed.withLockedValue { $0 += duration } }
}
