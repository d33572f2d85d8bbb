import AppServer
import NIOConcurrencyHelpers
import ServiceKit
import XCTest

/// Per-address token buckets: burst, refill, bounded memory, address keys.
final class AddressThrottleTests: XCTestCase {
    private final class ManualClock: Sendable {
        private let elapsed = NIOLockedValueBox<Duration>(.zero)
        private let start = ContinuousClock.now
        func now() -> ContinuousClock.Instant { start + elapsed.withLockedValue { $0 } }
        func advance(_ duration: Duration) { elapsed.withLockedValue { $0 += duration } }
    }

    func testBurstThenOneAttemptPerShareOfAMinute() {
        let clock = ManualClock()
        let throttle = AddressThrottle(action: "test", perMinute: 6, maximumAddresses: 100, clock: clock.now)
        for _ in 0..<6 { XCTAssertEqual(throttle.take(address: "192.0.2.1"), .allowed) }
        XCTAssertEqual(throttle.take(address: "192.0.2.1"), .limited(retryAfter: 10))
        clock.advance(.seconds(4))
        XCTAssertEqual(throttle.take(address: "192.0.2.1"), .limited(retryAfter: 6))
        clock.advance(.seconds(6))
        XCTAssertEqual(throttle.take(address: "192.0.2.1"), .allowed)
        XCTAssertEqual(throttle.take(address: "192.0.2.1"), .limited(retryAfter: 10))
        XCTAssertEqual(throttle.take(address: "192.0.2.2"), .allowed)
    }

    func testMemoryIsBoundedAndRefilledAddressesAreForgotten() {
        let clock = ManualClock()
        let throttle = AddressThrottle(action: "test", perMinute: 1, maximumAddresses: 3, clock: clock.now)
        for host in 1...3 { XCTAssertEqual(throttle.take(address: "192.0.2.\(host)"), .allowed) }
        // Full: newcomers share one allowance.
        XCTAssertEqual(throttle.take(address: "192.0.2.4"), .allowed)
        XCTAssertEqual(throttle.take(address: "192.0.2.5"), .limited(retryAfter: 60))
        XCTAssertLessThanOrEqual(throttle.trackedAddresses, 4)
        // Once their buckets have refilled, the addresses are forgotten and the table empties.
        clock.advance(.seconds(61))
        XCTAssertEqual(throttle.take(address: "192.0.2.6"), .allowed)
        XCTAssertEqual(throttle.trackedAddresses, 1)
    }

    func testAddressKeys() {
        XCTAssertEqual(AddressThrottle.key(for: "192.0.2.1"), "192.0.2.1")
        XCTAssertEqual(AddressThrottle.key(for: "2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64")
        XCTAssertEqual(AddressThrottle.key(for: "2001:DB8:1:2::9"), "2001:db8:1:2::/64")
        XCTAssertEqual(AddressThrottle.key(for: "::ffff:192.0.2.1"), "192.0.2.1")
        XCTAssertEqual(AddressThrottle.key(for: "::1"), "0:0:0:0::/64")
        XCTAssertEqual(AddressThrottle.key(for: "unknown"), "unknown")
        XCTAssertEqual(AddressThrottle.key(for: "not:an:address"), "not:an:address")
    }
}
