import NIOCore
import XCTest

@testable import RPC

final class ServerConnectionTimeoutsTests: XCTestCase {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    private let limits = ServerConnectionTimeouts.Limits(handshake: .seconds(10), idle: .seconds(60), frame: .seconds(5))

    private func at(_ seconds: Int64) -> NIODeadline { start + .seconds(seconds) }

    private func seen(
        established: Bool = true, frames: UInt64 = 0, finished: UInt64 = 0, partial: Bool = false, inFlight: Int = 0
    ) -> ServerConnectionTimeouts.Observation {
        .init(established: established, framesDecoded: frames, callsFinished: finished, partialFrame: partial, callsInFlight: inFlight)
    }

    func testPeerThatNeverCompletesTheHandshakeIsClosed() {
        var timeouts = ServerConnectionTimeouts(limits: limits, openedAt: start)
        XCTAssertNil(timeouts.tick(now: at(9), seen(established: false)))
        XCTAssertEqual(timeouts.tick(now: at(10), seen(established: false, frames: 1)), .handshake, "frames do not extend the handshake")

        var done = ServerConnectionTimeouts(limits: limits, openedAt: start)
        XCTAssertNil(done.tick(now: at(1), seen(frames: 2)))
        XCTAssertNil(done.tick(now: at(30), seen(frames: 3)), "no handshake limit once established")
    }

    func testIdleConnectionIsClosedButPingsAndCallsKeepItOpen() {
        var timeouts = ServerConnectionTimeouts(limits: limits, openedAt: start)
        XCTAssertNil(timeouts.tick(now: at(1), seen(frames: 1)))
        XCTAssertNil(timeouts.tick(now: at(60), seen(frames: 1)))
        XCTAssertEqual(timeouts.tick(now: at(61), seen(frames: 1)), .idle)

        var pinged = ServerConnectionTimeouts(limits: limits, openedAt: start)
        var frames: UInt64 = 1
        for second in stride(from: Int64(10), through: 600, by: 10) {
            frames += 1  // a ping every 10 s, as clients send by default
            XCTAssertNil(pinged.tick(now: at(second), seen(frames: frames)))
        }

        var busy = ServerConnectionTimeouts(limits: limits, openedAt: start)
        XCTAssertNil(busy.tick(now: at(1), seen(frames: 1, inFlight: 1)))
        XCTAssertNil(busy.tick(now: at(200), seen(frames: 1, inFlight: 1)), "a long call is not idleness")
        XCTAssertNil(busy.tick(now: at(230), seen(frames: 1, finished: 1)), "the call's end is activity")
        XCTAssertNil(busy.tick(now: at(289), seen(frames: 1, finished: 1)))
        XCTAssertEqual(busy.tick(now: at(290), seen(frames: 1, finished: 1)), .idle)
    }

    func testStalledFrameIsClosedWhileFramesThatKeepCompletingAreNot() {
        var stalled = ServerConnectionTimeouts(limits: limits, openedAt: start)
        XCTAssertNil(stalled.tick(now: at(1), seen(frames: 1, partial: true)))
        XCTAssertNil(stalled.tick(now: at(5), seen(frames: 1, partial: true)))
        XCTAssertEqual(stalled.tick(now: at(6), seen(frames: 1, partial: true)), .frame)

        var streaming = ServerConnectionTimeouts(limits: limits, openedAt: start)
        for second in 1...60 {
            // Large frames: one still arriving at every tick, but each completes within the limit.
            XCTAssertNil(streaming.tick(now: at(Int64(second)), seen(frames: UInt64(second / 3), partial: true, inFlight: 1)))
        }

        var recovered = ServerConnectionTimeouts(limits: limits, openedAt: start)
        XCTAssertNil(recovered.tick(now: at(1), seen(frames: 1, partial: true)))
        XCTAssertNil(recovered.tick(now: at(4), seen(frames: 2, partial: false)))
        XCTAssertNil(recovered.tick(now: at(5), seen(frames: 2, partial: true)))
        XCTAssertNil(recovered.tick(now: at(9), seen(frames: 2, partial: true)), "the clock restarted with the new frame")
        XCTAssertEqual(recovered.tick(now: at(10), seen(frames: 2, partial: true)), .frame)
    }

    func testHugeLimitsNeverExpireAndTickAtMostOnceASecond() {
        let huge = ServerConnectionTimeouts.Limits(
            handshake: TimeAmount(.seconds(Int64.max)), idle: TimeAmount(.milliseconds(Int64.max)), frame: TimeAmount(.seconds(1 << 62)))
        XCTAssertEqual(huge.handshake.nanoseconds, Int64.max, "clamped, not wrapped")
        XCTAssertEqual(huge.tickInterval, .seconds(1))
        var timeouts = ServerConnectionTimeouts(limits: huge, openedAt: start)
        XCTAssertNil(timeouts.tick(now: .distantFuture, seen(established: false, partial: true)))
        XCTAssertNil(timeouts.tick(now: .distantFuture, seen(established: true, partial: true)))

        XCTAssertEqual(
            ServerConnectionTimeouts.Limits(handshake: .milliseconds(1), idle: .seconds(1), frame: .seconds(1)).tickInterval,
            .milliseconds(10))
        XCTAssertEqual(limits.tickInterval, .seconds(1))
        XCTAssertEqual(
            ServerConnectionTimeouts.Limits(handshake: .milliseconds(400), idle: .seconds(1), frame: .seconds(1)).tickInterval,
            .milliseconds(100))
    }
}
