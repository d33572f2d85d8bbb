import XCTest

@testable import RPC

final class ClientConnectionStateMachineTests: XCTestCase {
    private typealias Machine = ClientConnectionStateMachine<String>

    private func readyMachine() -> Machine {
        var machine = Machine()
        XCTAssertEqual(machine.receivedHello(Hello()), .awaitCatalog(proof: nil))
        XCTAssertEqual(machine.state, .awaitingCatalog)
        XCTAssertTrue(machine.receivedCatalog())
        return machine
    }

    func testCallsWaitForHandshake() {
        var machine = Machine()
        let refused = machine.startCall(1, pending: "a")
        XCTAssertEqual(refused?.0, "a")
        XCTAssertEqual(refused?.1.wasProcessed, false)
    }

    func testVersionMismatchFailsClearly() {
        var machine = Machine()
        guard case .fail(let error) = machine.receivedHello(Hello(version: 2)) else { return XCTFail() }
        XCTAssertTrue(error.message.contains("version 2"), error.message)
        XCTAssertEqual(machine.state, .closed)
    }

    func testCallsWaitForTheCatalogAndASecondCatalogIsRefused() {
        var machine = Machine()
        XCTAssertEqual(machine.receivedHello(Hello()), .awaitCatalog(proof: nil))
        XCTAssertEqual(machine.startCall(1, pending: "early")?.1.wasProcessed, false)
        XCTAssertTrue(machine.receivedCatalog())
        XCTAssertNil(machine.startCall(1, pending: "now"))
        XCTAssertFalse(machine.receivedCatalog())
        XCTAssertEqual(machine.state, .closed)
        var unexpected = Machine()
        XCTAssertFalse(unexpected.receivedCatalog(), "a catalog before the hello")
    }

    func testResponsesMatchCallsInAnyOrder() {
        var machine = readyMachine()
        XCTAssertNil(machine.startCall(1, pending: "one"))
        XCTAssertNil(machine.startCall(2, pending: "two"))
        XCTAssertEqual(machine.receivedResponse(2), "two")
        XCTAssertEqual(machine.receivedResponse(1), "one")
        XCTAssertNil(machine.receivedResponse(1), "a duplicate response is ignored")
        XCTAssertEqual(machine.outstandingCount, 0)
    }

    func testCancelledCallIgnoresLateResponse() {
        var machine = readyMachine()
        _ = machine.startCall(1, pending: "one")
        XCTAssertEqual(machine.cancelCall(1), "one")
        XCTAssertNil(machine.receivedResponse(1))
    }

    func testGoAwayRefusesOnlyCallsAboveLastID() {
        var machine = readyMachine()
        for id in 1...4 { _ = machine.startCall(UInt32(id), pending: "\(id)") }
        let (refused, closeNow) = machine.receivedGoAway(GoAway(lastCallID: 2, status: .unavailable, message: ""))
        XCTAssertEqual(Set(refused), ["3", "4"])
        XCTAssertFalse(closeNow)
        XCTAssertFalse(machine.canStartCalls)
        XCTAssertNotNil(machine.startCall(5, pending: "5"), "no new calls after GOAWAY")
        _ = machine.receivedResponse(1)
        _ = machine.receivedResponse(2)
        XCTAssertEqual(machine.state, .closed)
    }

    func testCloseFailsEverythingOutstanding() {
        var machine = readyMachine()
        _ = machine.startCall(1, pending: "one")
        _ = machine.startCall(2, pending: "two")
        XCTAssertEqual(Set(machine.connectionClosed()), ["one", "two"])
        XCTAssertEqual(machine.outstandingCount, 0)
    }

    func testRetiredConnectionFinishesOutstandingCallsThenCloses() {
        var machine = readyMachine()
        _ = machine.startCall(1, pending: "one")
        XCTAssertFalse(machine.retire(), "a call is still outstanding")
        XCTAssertFalse(machine.canStartCalls)
        XCTAssertEqual(machine.startCall(2, pending: "two")?.1.wasProcessed, false, "refused as never sent, so it is retried elsewhere")
        XCTAssertEqual(machine.receivedResponse(1), "one")
        XCTAssertEqual(machine.state, .closed)
        var idle = readyMachine()
        XCTAssertTrue(idle.retire())
    }

    func testKeepaliveClosesUnresponsivePeer() {
        var machine = readyMachine()
        XCTAssertEqual(machine.keepaliveTick(), .sendPing)
        machine.receivedPong()
        XCTAssertEqual(machine.keepaliveTick(), .sendPing)
        XCTAssertEqual(machine.keepaliveTick(), .closeUnresponsive)
    }
}
