import NIOConcurrencyHelpers
import NIOCore
import XCTest

@testable import RPC

/// Timeouts beyond what a 64-bit nanosecond clock holds (the settings accept up to 2^63-1 ms)
/// must mean "practically forever", never wrap into the past.
final class RPCHugeTimeoutTests: XCTestCase {
    /// What `--x-timeout 9223372036854775807ms` yields, and other values that used to wrap.
    static let huge: [Duration] = [.milliseconds(Int64.max), .seconds(Int64.max), .seconds(1 << 40), .seconds(10_000_000_000)]

    func testDurationsBeyondTheClockAreClampedNotWrapped() {
        for duration in Self.huge {
            XCTAssertEqual(TimeAmount(duration).nanoseconds, Int64.max, "\(duration)")
            XCTAssertEqual(NIODeadline.now() + TimeAmount(duration), .distantFuture, "\(duration)")
        }
    }

    func testClientAndServerWithHugeTimeoutsStillCall() async throws {
        let remaining = Amounts()
        var router = RPCRouter()
        router.register(.echo) { request, context in
            remaining.append(context.timeRemaining ?? .nanoseconds(-1))
            return request
        }
        let server = try await TestServer.start(router: router) {
            $0.handshakeTimeout = .milliseconds(Int64.max)
            $0.idleTimeout = .seconds(Int64.max)
            $0.frameTimeout = .seconds(1 << 40)
        }
        defer { Task { await server.kill() } }
        for timeout in Self.huge {
            try await withClient(
                server.hostAndPort,
                configure: {
                    $0.connectTimeout = timeout
                    $0.keepaliveInterval = timeout
                    $0.defaultTimeout = timeout
                    $0.maximumAttempts = 1
                }
            ) { client in
                let reply = try await client.call(.echo, Echo(text: "\(timeout)"))
                XCTAssertEqual(reply.text, "\(timeout)")
                let explicit = try await client.call(.echo, Echo(text: "explicit"), options: RPCCallOptions(timeout: timeout))
                XCTAssertEqual(explicit.text, "explicit")
            }
        }
        let seen = remaining.all
        XCTAssertEqual(seen.count, Self.huge.count * 2)
        for amount in seen {
            XCTAssertGreaterThan(amount, .hours(24 * 365 * 100), "the server's deadline for a huge timeout is not far in the future")
        }
    }
}

private final class Amounts: Sendable {
    private let state = NIOLockedValueBox<[TimeAmount]>([])
    func append(_ amount: TimeAmount) { state.withLockedValue { $0.append(amount) } }
    var all: [TimeAmount] { state.withLockedValue { $0 } }
}
