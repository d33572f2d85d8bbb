import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import ServiceKit
import ServiceLifecycle
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real listener inside the real runner, over TCP: `/readyz` must answer 503 while the
/// service's own services drain, because the listener is stopped last.
final class AdminListenerLiveTests: XCTestCase {
    func testReadyzAnswers503DuringTheDrain() async throws {
        let port = try freeLocalPort()
        let readiness = Readiness()
        let events = EventLog()
        let slow = SlowDrain(readiness: readiness, events: events)
        let admin = AdminServer.makeListener(
            host: "127.0.0.1", port: port, readiness: readiness, registry: PrometheusCollectorRegistry(),
            logger: Logger(label: "admin") { _ in SwiftLogNoOpLogHandler() })
        let runner = ServiceRunner(
            services: [slow], admin: admin, readiness: readiness, drainTimeout: .seconds(5),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })

        let outcome = try await withTimeLimit {
            async let outcome = runner.run()
            try await waitUntil { readiness.isReady }
            let whileRunning = try await Self.readyzStatus(port: port)
            XCTAssertEqual(whileRunning, .ok)

            await runner.triggerGracefulShutdown()
            try await waitUntil { events.events.contains("draining") }
            let whileDraining = try await Self.readyzStatus(port: port)
            XCTAssertEqual(whileDraining, .serviceUnavailable)
            XCTAssertFalse(events.events.contains("stopped"), "the probe must have run during the drain")
            return try await outcome
        }
        XCTAssertEqual(outcome, .drained)
        XCTAssertEqual(events.events, ["draining", "stopped"])
    }

    /// Retries while the connection is refused: readiness says nothing about whether the
    /// listener has bound its socket yet.
    private static func readyzStatus(port: Int) async throws -> HTTPResponse.Status {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            do {
                return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await client.get("/readyz").status
                }
            } catch  where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}

private struct SlowDrain: Service {
    let readiness: Readiness
    let events: EventLog

    func run() async throws {
        try await gracefulShutdown()
        events.append("draining")
        try await Task.sleep(for: .milliseconds(500))
        events.append("stopped")
    }
}

/// Asks the kernel for an unused port. Another process could take it before the listener
/// binds; on a test machine that is rare enough to accept.
private func freeLocalPort() throws -> Int {
    #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { throw NoFreePort() }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw NoFreePort() }
    return Int(UInt16(bigEndian: address.sin_port))
}

private struct NoFreePort: Error {}
