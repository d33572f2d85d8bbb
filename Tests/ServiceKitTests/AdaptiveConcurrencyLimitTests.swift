import ServiceKit
import XCTest

final class AdaptiveConcurrencyLimitTests: XCTestCase {
    private let ms: UInt64 = 1_000_000

    /// Windows start at 10 s, so requests can have started long before.
    private var base: UInt64 { 10_000 * ms }

    private func limit(
        initial: Int = 20, minimum: Int = 4, maximum: Int = 100, target: Duration = .milliseconds(20)
    ) -> AdaptiveConcurrencyLimit {
        AdaptiveConcurrencyLimit(
            configuration: .init(
                initialLimit: initial, minimumLimit: minimum, maximumLimit: maximum, targetLatency: target,
                sampleWindow: .milliseconds(100), minimumSamples: 4),
            now: base)
    }

    /// Window `index`: fills the limit, ends every request `latency` after it started, all inside
    /// the window, then closes it with one more request ending after it (no sample of its own).
    /// Windows are 150 ms apart, so each closes after its own requests and before the next.
    private func window(_ limit: inout AdaptiveConcurrencyLimit, latency: UInt64, index: Int) {
        let end = base + 50 * ms + UInt64(index) * 150 * ms
        var permits: [AdaptiveConcurrencyLimit.Permit] = []
        while let permit = limit.tryAcquire(now: end - latency) { permits.append(permit) }
        for permit in permits { limit.release(permit, now: end, measured: true) }
        if let closer = limit.tryAcquire(now: end + 100 * ms) { limit.release(closer, now: end + 100 * ms, measured: false) }
    }

    func testRefusesPastTheLimitAndAdmitsAgainWhenOneEnds() throws {
        var limit = limit(initial: 2, minimum: 2, maximum: 2)
        let first = try XCTUnwrap(limit.tryAcquire(now: 0))
        XCTAssertNotNil(limit.tryAcquire(now: 0))
        XCTAssertNil(limit.tryAcquire(now: 0))
        XCTAssertEqual(limit.inFlight, 2)
        limit.release(first, now: 5 * ms, measured: true)
        XCTAssertNotNil(limit.tryAcquire(now: 5 * ms))
        XCTAssertEqual(limit.limit, 2, "a fixed limit never moves")
    }

    func testGrowsWhileTheMedianIsUnderTheTargetAndTheLimitIsUsed() {
        var limit = limit()
        window(&limit, latency: 5 * ms, index: 0)
        // 20 × min(2, 20/5) = 40, + √40 = 46.
        XCTAssertEqual(limit.limit, 46)
        XCTAssertEqual(limit.lastMedian, 5 * ms)
        window(&limit, latency: 5 * ms, index: 1)
        XCTAssertEqual(limit.limit, 100, "clamped to the maximum")
    }

    func testShrinksInProportionAboveTheTargetAtMostByHalf() {
        var limit = limit(initial: 40)
        window(&limit, latency: 25 * ms, index: 0)
        // 40 × 20/25 = 32, + √32 = 37.6.
        XCTAssertEqual(limit.limit, 37)
        window(&limit, latency: 400 * ms, index: 1)
        // Halved at most: 37 × 0.5 = 18.5, + √18.5 = 22.8.
        XCTAssertEqual(limit.limit, 22)
        for index in 2...12 { window(&limit, latency: 400 * ms, index: index) }
        XCTAssertEqual(limit.limit, 4, "never below the minimum")
    }

    func testSettlesNearTheTargetWhenLatencyFollowsLittlesLaw() {
        // A service doing 1 request per ms: L in flight wait L ms.
        var limit = limit(initial: 8, maximum: 1_000)
        for index in 0..<60 { window(&limit, latency: UInt64(limit.limit) * ms, index: index) }
        XCTAssertGreaterThan(limit.limit, 16)
        XCTAssertLessThan(limit.limit, 30, "about 20 in flight keeps the median at 20 ms")
    }

    func testDoesNotGrowWhenLessThanHalfTheLimitIsUsed() {
        var limit = limit(initial: 40)
        for step in 1...5 {
            let permits = (0..<10).compactMap { _ in limit.tryAcquire(now: base + UInt64(step * 100 - 1) * ms) }
            for permit in permits { limit.release(permit, now: base + UInt64(step * 100) * ms, measured: true) }
        }
        XCTAssertGreaterThan(limit.lastMedian, 0, "a window closed")
        XCTAssertEqual(limit.limit, 40, "fast answers at 10 of 40 in flight are no reason for more")
    }

    func testUnmeasuredEndsFreeTheirPlaceButAreNoSample() throws {
        var limit = limit(initial: 20)
        let permits = (0..<20).compactMap { _ in limit.tryAcquire(now: base) }
        for permit in permits { limit.release(permit, now: base + 500 * ms, measured: false) }
        XCTAssertEqual(limit.inFlight, 0)
        XCTAssertEqual(limit.limit, 20, "refusals from behind say nothing about latency")
        XCTAssertEqual(limit.lastMedian, 0)
    }

    func testAWindowWithTooFewSamplesCarriesOver() throws {
        var limit = limit(initial: 20)
        for _ in 0..<3 {
            let permit = try XCTUnwrap(limit.tryAcquire(now: base + 199 * ms))
            limit.release(permit, now: base + 200 * ms, measured: true)
        }
        XCTAssertEqual(limit.limit, 20, "three samples are no median")
        window(&limit, latency: 1 * ms, index: 2)
        XCTAssertGreaterThan(limit.limit, 20, "the next window's samples join them")
    }

    func testConfigurationKeepsItsBoundsInOrder() {
        let odd = AdaptiveConcurrencyLimit.Configuration(initialLimit: 500, minimumLimit: 0, maximumLimit: -3)
        XCTAssertEqual(odd.minimumLimit, 1)
        XCTAssertEqual(odd.maximumLimit, 1)
        XCTAssertEqual(odd.initialLimit, 1)
        XCTAssertTrue(AdaptiveConcurrencyLimit.Configuration.fixed(7).isFixed)
        XCTAssertEqual(AdaptiveConcurrencyLimit.Configuration(targetLatency: .seconds(-1)).targetLatency, 0)
    }
}
