import XCTest

@testable import RPC

final class ServerConnectionStateMachineTests: XCTestCase {
    private func activeMachine(limit: Int = 2) -> ServerConnectionStateMachine {
        var machine = ServerConnectionStateMachine(maximumConcurrentCalls: limit, serverNonce: [UInt8](repeating: 9, count: 32))
        XCTAssertEqual(
            machine.received(.hello, callID: 0, hello: Hello()),
            .sendHello(Hello(nonce: [UInt8](repeating: 9, count: 32)), thenCatalog: true))
        return machine
    }

    func testHandshakeThenCalls() {
        var machine = activeMachine()
        XCTAssertEqual(machine.received(.request, callID: 1), .startCall(callID: 1))
        XCTAssertEqual(machine.received(.request, callID: 2), .startCall(callID: 2))
        XCTAssertEqual(machine.inFlightCalls, [1, 2])
        XCTAssertEqual(machine.callFinished(1), .none)
        XCTAssertEqual(machine.inFlightCalls, [2])
    }

    func testVersionMismatchIsRefusedWithReason() {
        var machine = ServerConnectionStateMachine(maximumConcurrentCalls: 1)
        guard case .rejectConnection(let goAway) = machine.received(.hello, callID: 0, hello: Hello(version: 99)) else {
            return XCTFail("expected a rejection")
        }
        XCTAssertEqual(goAway.status, .failedPrecondition)
        XCTAssertTrue(goAway.message.contains("99"), goAway.message)
        XCTAssertEqual(machine.state, .closed)
    }

    func testAnythingBeforeHelloCloses() {
        var machine = ServerConnectionStateMachine(maximumConcurrentCalls: 1)
        guard case .close = machine.received(.request, callID: 1) else { return XCTFail() }
    }

    func testSecondHelloCloses() {
        var machine = activeMachine()
        guard case .close = machine.received(.hello, callID: 0, hello: Hello()) else { return XCTFail() }
    }

    func testCallIDsMustBeUniqueAmongRunningCallsButMayArriveInAnyOrder() {
        var machine = activeMachine()
        _ = machine.received(.request, callID: 5)
        XCTAssertEqual(machine.received(.request, callID: 4), .startCall(callID: 4))
        guard case .close = machine.received(.request, callID: 5) else { return XCTFail("id of a running call accepted") }
        var other = activeMachine()
        guard case .close = other.received(.request, callID: 0) else { return XCTFail("id 0 accepted") }
    }

    func testConcurrencyLimitRefusesWithoutProcessing() {
        var machine = activeMachine(limit: 1)
        XCTAssertEqual(machine.received(.request, callID: 1), .startCall(callID: 1))
        guard case .refuseCall(2, .resourceExhausted, _, processed: false) = machine.received(.request, callID: 2) else {
            return XCTFail("expected resourceExhausted")
        }
        _ = machine.callFinished(1)
        XCTAssertEqual(machine.received(.request, callID: 3), .startCall(callID: 3))
    }

    func testCancelOnlyForRunningCalls() {
        var machine = activeMachine()
        _ = machine.received(.request, callID: 1)
        XCTAssertEqual(machine.received(.cancel, callID: 1), .cancelCall(callID: 1))
        XCTAssertEqual(machine.received(.cancel, callID: 9), .none)
    }

    func testDrainFinishesInFlightRefusesNewThenCloses() {
        var machine = activeMachine()
        _ = machine.received(.request, callID: 1)
        guard case .sendGoAway(let goAway, thenClose: false) = machine.beginDrain() else { return XCTFail() }
        XCTAssertEqual(goAway.lastCallID, 1)
        guard case .refuseCall(2, .unavailable, _, processed: false) = machine.received(.request, callID: 2) else {
            return XCTFail("new call during drain must be refused as not processed")
        }
        guard case .close = machine.callFinished(1) else { return XCTFail("should close once drained") }
        XCTAssertEqual(machine.state, .closed)
    }

    func testDrainWhenIdleClosesRightAway() {
        var machine = activeMachine()
        guard case .sendGoAway(_, thenClose: true) = machine.beginDrain() else { return XCTFail() }
    }

    func testPingAnsweredAndClientOnlyFramesRejected() {
        var machine = activeMachine()
        XCTAssertEqual(machine.received(.ping, callID: 0), .sendPong)
        guard case .close = machine.received(.response, callID: 1) else { return XCTFail() }
    }
}
