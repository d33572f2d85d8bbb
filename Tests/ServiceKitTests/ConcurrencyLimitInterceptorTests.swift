import Logging
import RPC
import ServiceKit
import ServiceLifecycle
import XCTest

private struct Nap: WireMessage {
    var milliseconds = 0

    init(milliseconds: Int) { self.milliseconds = milliseconds }
    init() {}

    mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "milliseconds", &milliseconds)
    }
}

extension RPCMethod where Request == Nap, Response == Nap {
    fileprivate static let nap = RPCMethod(name: "test.nap", isIdempotent: true)
}

final class ConcurrencyLimitInterceptorTests: XCTestCase {
    private let logger = Logger(label: "limit-test") { _ in SwiftLogNoOpLogHandler() }

    /// A server whose calls pass a limiter of one with no queue, and a client that does not retry.
    private func withServer(_ body: (RPCClient, ConcurrencyLimiter) async throws -> Void) async throws {
        let limiter = ConcurrencyLimiter(
            configuration: .init(limit: .fixed(1), queueSize: 0, queueTimeout: .milliseconds(10)), metricPrefix: "test_rpc")
        var router = RPCRouter()
        router.register(.nap) { request, _ in
            try await Task.sleep(for: .milliseconds(request.milliseconds))
            return request
        }
        let transport = InProcessTransport(logger: logger)
        let server = RPCServer(
            transport: transport.server, router: router, serviceName: "test",
            interceptors: [ConcurrencyLimitInterceptor(limiter: limiter)])
        var configuration = RPCClientConfiguration()
        configuration.maximumAttempts = 1
        let client = RPCClient(transport: transport.client, configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server, client], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        while client.readyConnectionCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        try await body(client, limiter)
    }

    func testACallPastTheLimitIsRefusedUnprocessedAndProbesStillPass() async throws {
        try await withServer { client, limiter in
            let slow = Task { try await client.call(.nap, Nap(milliseconds: 500)) }
            for _ in 0..<2_000 where limiter.snapshot.inFlight == 0 { try await Task.sleep(for: .milliseconds(1)) }
            XCTAssertEqual(limiter.snapshot.inFlight, 1)
            do {
                _ = try await client.call(.nap, Nap(milliseconds: 0))
                XCTFail("a second call at a limit of one must be refused")
            } catch let error as RPCError {
                XCTAssertEqual(error.code, .unavailable)
                XCTAssertFalse(error.wasProcessed, "refused before the handler: safe to retry elsewhere")
            }
            let health = try await client.call(.health, HealthRequest())
            XCTAssertEqual(health.status, .serving, "the kit's own methods are not limited")
            _ = try await slow.value
            XCTAssertEqual(limiter.snapshot.inFlight, 0)
            _ = try await client.call(.nap, Nap(milliseconds: 0))
        }
    }

    func testRefusalsAndCancellationsAreNoLatencySample() {
        XCTAssertFalse(ConcurrencyLimitInterceptor.isMeasured(RPCError.unavailable("full")))
        XCTAssertFalse(ConcurrencyLimitInterceptor.isMeasured(RPCError(.resourceExhausted, "per user")))
        XCTAssertFalse(ConcurrencyLimitInterceptor.isMeasured(CancellationError()))
        XCTAssertTrue(ConcurrencyLimitInterceptor.isMeasured(RPCError(.deadlineExceeded, "slow")))
        XCTAssertTrue(ConcurrencyLimitInterceptor.isMeasured(RPCError(.notFound, "no such row")))
    }
}
