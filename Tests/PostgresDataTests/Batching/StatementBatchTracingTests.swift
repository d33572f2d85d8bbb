import InMemoryTracing
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import PostgresData
import RPC
import ServiceLifecycle
import Tracing
import XCTest

/// A batch in a trace: its statement's span is a child of the first traced request it serves,
/// links to each traced request, and carries the batch's sizes; the batch makes no span itself.
final class StatementBatchTracingTests: XCTestCase {
    func testABatchedStatementLinksToEveryTracedRequestItServes() async throws {
        let tracer = InMemoryTracer()
        let (firstStarted, firstStartedInput) = AsyncStream<Void>.makeStream()
        let (release, releaseInput) = AsyncStream<Void>.makeStream()
        let calls = NIOLockedValueBox(0)
        let reader = StatementBatcher<Int, String>(
            name: "test_reads", maximumBatchSize: 100, maximumConcurrentBatches: 1, slowBatchAge: nil, logger: quietLogger,
            metricsFactory: NOOPMetricsHandler.instance
        ) { keys, _ throws(RPCError) in
            do {
                return try await StatementTelemetry.run("test_reads", sql: "SELECT id FROM t WHERE id = ANY($1)", tracer: tracer) {
                    let call = calls.withLockedValue { calls in
                        calls += 1
                        return calls
                    }
                    if call == 1 {
                        firstStartedInput.yield()
                        for await _ in release { break }
                    }
                    return Dictionary(uniqueKeysWithValues: keys.map { ($0, "row \($0)") })
                }
            } catch {
                throw RPCError.internal("\(error)")
            }
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [reader], logger: quietLogger))
        let requests = [tracer.startSpan("request a", context: .topLevel), tracer.startSpan("request b", context: .topLevel)]
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await withThrowingTaskGroup(of: Void.self) { reads in
                // An untraced read holds the only slot; two traced reads and an untraced one queue behind it.
                reads.addTask { _ = try await reader.submit(1) }
                for await _ in firstStarted { break }
                for (key, request) in zip([5, 7], requests) {
                    reads.addTask { _ = try await ServiceContext.$current.withValue(request.context) { try await reader.submit(key) } }
                }
                reads.addTask { _ = try await reader.submit(9) }
                try await Task.sleep(for: .milliseconds(100))
                releaseInput.yield()
                try await reads.waitForAll()
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        for request in requests { request.end() }

        let statements = tracer.popFinishedSpans().filter { $0.operationName == "test_reads" }
        XCTAssertEqual(statements.count, 1, "the untraced batch made no span, the traced one one span: \(statements)")
        let statement = try XCTUnwrap(statements.first)
        let requestIDs = Set(requests.map(\.spanContext.spanID))
        XCTAssertEqual(statement.kind, .client)
        XCTAssertTrue(requestIDs.contains(statement.parentSpanID ?? ""), "a child of a request it serves")
        XCTAssertEqual(Set(statement.links.compactMap { $0.context.inMemorySpanContext?.spanID }), requestIDs)
        XCTAssertEqual(statement.attributes.get("db.operation.batch.size"), .int64(3))
        XCTAssertEqual(statement.attributes.get("batch.requests"), .int64(3))
        XCTAssertEqual(statement.attributes.get("db.system.name"), .string("postgresql"))
    }
}
