import ServiceKit
import XCTest

final class ReadinessTests: XCTestCase {
    func testNotReadyUntilStarted() {
        let readiness = Readiness()
        XCTAssertFalse(readiness.isReady)
        readiness.markStarted()
        XCTAssertTrue(readiness.isReady, "no conditions means nothing to wait for")
    }

    func testEveryConditionMustHold() {
        let readiness = Readiness()
        readiness.markStarted()
        readiness.set("database", ready: false)
        readiness.set("rpc", ready: true)
        XCTAssertFalse(readiness.isReady)
        readiness.set("database", ready: true)
        XCTAssertTrue(readiness.isReady)
        readiness.set("rpc", ready: false)
        XCTAssertFalse(readiness.isReady)
        XCTAssertEqual(readiness.snapshot().conditions, ["database": true, "rpc": false])
    }

    func testDrainingIsFinal() {
        let readiness = Readiness()
        readiness.markStarted()
        readiness.set("rpc", ready: true)
        readiness.beginDraining()
        XCTAssertFalse(readiness.isReady)
        XCTAssertTrue(readiness.isDraining)
        readiness.set("rpc", ready: true)
        readiness.markStarted()
        XCTAssertFalse(readiness.isReady)
    }

    func testConcurrentUpdatesAreNotLost() async {
        let readiness = Readiness()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask { readiness.set("c\(index)", ready: index % 2 == 0) }
            }
        }
        let conditions = readiness.snapshot().conditions
        XCTAssertEqual(conditions.count, 100)
        XCTAssertEqual(conditions.values.filter { $0 }.count, 50)
    }
}
