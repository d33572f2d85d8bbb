import Dispatch
import NIOCore
import XCTest

@testable import EdgeService

final class RequestDeadlinesTests: XCTestCase {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    /// The bug this guards against: a byte every 20 s never pauses for the 30 s body
    /// timeout, so pauses alone let such a request go on for as long as its body lasts.
    func testATrickleIsCutAtTheRequestTimeoutThoughItNeverPausesForTheBodyTimeout() {
        var deadlines = RequestDeadlines(headerTimeout: .seconds(10), bodyTimeout: .seconds(30), requestTimeout: .seconds(60))
        deadlines.requestStarted(at: start)
        XCTAssertTrue(deadlines.isReadingRequest)

        var now = start + .seconds(1)
        var armed = deadlines.whileReadingBody(now: now)
        XCTAssertEqual(armed.0, .body)
        XCTAssertEqual(armed.1, now + .seconds(30), "early on, a pause is what can run out")
        while armed.0 == .body, now < start + .seconds(600) {
            now = now + .seconds(20)
            armed = deadlines.whileReadingBody(now: now)
        }
        XCTAssertEqual(armed.0, .request)
        XCTAssertEqual(armed.1, start + .seconds(60), "the request's deadline, from its first byte")
        XCTAssertLessThan(now, start + .seconds(60))
    }

    func testOnlyTheFirstByteStartsTheClockAndEachRequestHasItsOwn() {
        var deadlines = RequestDeadlines(headerTimeout: .seconds(10), bodyTimeout: .seconds(30), requestTimeout: .seconds(60))
        deadlines.requestStarted(at: start)
        deadlines.requestStarted(at: start + .seconds(5))
        XCTAssertEqual(deadlines.requestDeadline, start + .seconds(60))
        deadlines.requestEnded()
        XCTAssertFalse(deadlines.isReadingRequest)
        // Between requests only the pause counts.
        XCTAssertEqual(deadlines.whileReadingBody(now: start + .seconds(100)).0, .body)

        let next = start + .seconds(120)
        deadlines.requestStarted(at: next)
        XCTAssertEqual(deadlines.requestDeadline, next + .seconds(60))
    }

    func testTheHeadGetsTheEarlierOfTheHeaderAndRequestTimeouts() {
        var usual = RequestDeadlines(headerTimeout: .seconds(10), bodyTimeout: .seconds(30), requestTimeout: .seconds(60))
        usual.requestStarted(at: start)
        let header = usual.whileReadingHead(headerDeadline: start + .seconds(10))
        XCTAssertEqual(header.0, .header)
        XCTAssertEqual(header.1, start + .seconds(10))

        var short = RequestDeadlines(headerTimeout: .seconds(10), bodyTimeout: .seconds(30), requestTimeout: .seconds(3))
        short.requestStarted(at: start)
        let request = short.whileReadingHead(headerDeadline: start + .seconds(10))
        XCTAssertEqual(request.0, .request)
        XCTAssertEqual(request.1, start + .seconds(3))
    }
}

final class ConnectionsPerAddressTests: XCTestCase {
    private func address(_ text: String) throws -> IPAddress {
        try XCTUnwrap(IPAddress(text))
    }

    func testEachAddressHasItsOwnCountAndClosingFreesASlot() throws {
        var counts = AddressConnectionCounts(limit: 2)
        let a = try address("192.0.2.1")
        let b = try address("192.0.2.2")
        XCTAssertTrue(counts.open(a))
        XCTAssertTrue(counts.open(a))
        XCTAssertFalse(counts.open(a), "a third from the same address")
        XCTAssertEqual(counts.openConnections(from: a), 2, "a refusal is not counted")
        XCTAssertTrue(counts.open(b), "another address is not affected")
        counts.close(a)
        XCTAssertTrue(counts.open(a))
        counts.close(a)
        counts.close(a)
        counts.close(b)
        XCTAssertEqual(counts.trackedAddresses, 0, "addresses without connections are forgotten")
        counts.close(b)
        XCTAssertEqual(counts.openConnections(from: b), 0, "an extra close does not go negative")
    }

    func testTrustedProxiesAreExemptAndBothSpellingsOfAnIPv4AddressCountTogether() throws {
        let limiter = ConnectionsPerAddress(limit: 1, exempt: try XCTUnwrap(TrustedProxies(parsing: "10.0.0.0/8")))
        XCTAssertEqual(limiter.open(peer: "10.1.2.3"), .uncounted)
        XCTAssertEqual(limiter.open(peer: "10.1.2.3"), .uncounted, "a proxy carries many clients")
        XCTAssertEqual(limiter.open(peer: nil), .uncounted, "no IP peer (a Unix socket)")
        XCTAssertEqual(limiter.open(peer: "192.0.2.7"), .counted(try address("192.0.2.7")))
        XCTAssertEqual(limiter.open(peer: "::ffff:192.0.2.7"), .refused)
        limiter.close(try address("192.0.2.7"))
        XCTAssertEqual(limiter.trackedAddresses, 0)
    }
}

final class RequestBodyBudgetTests: XCTestCase {
    func testReservationsStopAtTheLimitAndReleasesGiveBack() {
        let budget = RequestBodyBudget(limit: 1000)
        XCTAssertTrue(budget.hasRoom(for: 1000))
        XCTAssertFalse(budget.hasRoom(for: 1001))
        XCTAssertTrue(budget.reserve(600))
        XCTAssertFalse(budget.reserve(401), "nothing is taken when it would pass the limit")
        XCTAssertEqual(budget.inUse, 600)
        XCTAssertFalse(budget.hasRoom(for: 401))
        XCTAssertTrue(budget.reserve(400))
        XCTAssertFalse(budget.reserve(1))
        budget.release(600)
        XCTAssertTrue(budget.hasRoom(for: 600))
        budget.release(400)
        XCTAssertEqual(budget.inUse, 0)
    }

    func testConcurrentReservationsNeverPassTheLimit() {
        let limit = 2_000
        let budget = RequestBodyBudget(limit: limit)
        // Each holder alone would take up to 5 000 unchecked; eight contend for 2 000, and one
        // refused gives back what it holds, as a refused request does.
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var held = 0
            for step in 0..<20_000 {
                let size = 1 + (step * 7 + worker * 13) % 900
                if budget.reserve(size) {
                    held += size
                    XCTAssertLessThanOrEqual(budget.inUse, limit)
                }
                if held > 5_000 || !budget.hasRoom(for: size) {
                    budget.release(held)
                    held = 0
                }
            }
            budget.release(held)
        }
        XCTAssertEqual(budget.inUse, 0)
    }
}
