import Logging
import ServiceKit
import ServiceLifecycle
import XCTest

final class ServiceRunnerTests: XCTestCase {
    private let capture = LogCapture()

    private func makeRunner(
        services: [any Service],
        admin: any Service,
        readiness: Readiness,
        drainTimeout: Duration
    ) -> ServiceRunner {
        let logger = Logger(label: "test") { _ in
            ServiceLogHandler(service: "test", writer: self.capture.writer)
        }
        return ServiceRunner(
            services: services, admin: admin, readiness: readiness, drainTimeout: drainTimeout, logger: logger)
    }

    func testGracefulShutdownFlipsReadinessFirstAndStopsAdminLast() async throws {
        let readiness = Readiness()
        let events = EventLog()
        readiness.set("rpc", ready: false)
        let rpc = DrainingService(name: "rpc", drainTime: .milliseconds(300), readiness: readiness, events: events) {
            readiness.set("rpc", ready: true)
        }
        let admin = DrainingService(name: "admin", drainTime: .zero, readiness: readiness, events: events)
        let runner = makeRunner(services: [rpc], admin: admin, readiness: readiness, drainTimeout: .seconds(5))

        let outcome = try await withTimeLimit {
            async let outcome = runner.run()
            try await waitUntil { readiness.isReady }
            await runner.triggerGracefulShutdown()
            // While the slow service drains, readiness already reports not ready.
            try await waitUntil { events.events.contains("rpc: shutdown requested (ready=false)") }
            XCTAssertFalse(readiness.isReady)
            return try await outcome
        }

        XCTAssertEqual(outcome, .drained)
        XCTAssertEqual(
            events.events,
            [
                "rpc: shutdown requested (ready=false)",
                "rpc: stopped",
                "admin: shutdown requested (ready=false)",
                "admin: stopped",
            ]
        )
        XCTAssertTrue(capture.lines.contains { $0.contains("draining: readiness is now failing") })
    }

    func testDrainTimeoutCancelsAServiceThatNeverFinishes() async throws {
        let readiness = Readiness()
        let events = EventLog()
        let admin = DrainingService(name: "admin", drainTime: .zero, readiness: readiness, events: events)
        let runner = makeRunner(
            services: [StubbornService(events: events)], admin: admin, readiness: readiness,
            drainTimeout: .milliseconds(200))

        let started = ContinuousClock.now
        let outcome = try await withTimeLimit {
            async let outcome = runner.run()
            try await waitUntil { readiness.isReady }
            await runner.triggerGracefulShutdown()
            return try await outcome
        }

        XCTAssertEqual(outcome, .drainTimedOut)
        XCTAssertEqual(events.events.first, "stubborn: cancelled")
        let elapsed = ContinuousClock.now - started
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(200))
        XCTAssertLessThan(elapsed, .seconds(5))
    }

    func testServiceThatSwallowsCancellationStillCountsAsCutOff() async throws {
        let readiness = Readiness()
        let events = EventLog()
        let admin = DrainingService(name: "admin", drainTime: .zero, readiness: readiness, events: events)
        let runner = makeRunner(
            services: [StubbornService(events: events, swallowsCancellation: true)], admin: admin,
            readiness: readiness, drainTimeout: .milliseconds(100))

        let outcome = try await withTimeLimit {
            async let outcome = runner.run()
            try await waitUntil { readiness.isReady }
            await runner.triggerGracefulShutdown()
            return try await outcome
        }
        XCTAssertEqual(outcome, .drainTimedOut)
    }

    func testAFailingServiceEndsTheRunWithItsError() async throws {
        let readiness = Readiness()
        let events = EventLog()
        let admin = DrainingService(name: "admin", drainTime: .zero, readiness: readiness, events: events)
        let runner = makeRunner(
            services: [FailingService()], admin: admin, readiness: readiness, drainTimeout: .seconds(5))

        do {
            let outcome = try await withTimeLimit { try await runner.run() }
            XCTFail("expected an error, got \(outcome)")
        } catch {
            XCTAssertTrue(error is FailingService.Failure, "\(error)")
        }
    }
}

/// Waits for graceful shutdown, records whether the process still looked ready at that
/// moment, then takes `drainTime` to finish, like a server completing in-flight calls.
private struct DrainingService: Service, CustomStringConvertible {
    let name: String
    let drainTime: Duration
    let readiness: Readiness
    let events: EventLog
    var onStart: @Sendable () -> Void = {}

    func run() async throws {
        onStart()
        try await gracefulShutdown()
        events.append("\(name): shutdown requested (ready=\(readiness.isReady))")
        try await Task.sleep(for: drainTime)
        events.append("\(name): stopped")
    }

    var description: String { name }
}

/// Ignores graceful shutdown entirely; only cancellation ends it.
private struct StubbornService: Service, CustomStringConvertible {
    let events: EventLog
    var swallowsCancellation = false

    func run() async throws {
        do {
            try await Task.sleep(for: .seconds(60))
        } catch {
            events.append("stubborn: cancelled")
            if !swallowsCancellation { throw error }
        }
    }

    var description: String { "stubborn" }
}

private struct FailingService: Service {
    struct Failure: Error {}

    func run() async throws {
        throw Failure()
    }
}
