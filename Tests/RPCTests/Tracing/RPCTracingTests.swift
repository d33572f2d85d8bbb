import InMemoryTracing
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Tracing
import XCTest

@testable import RPC

/// With a tracer, a call is a client span whose context reaches the server in the metadata,
/// and the server's span (its child) is current while the handler runs. Without one, the
/// metadata carries nothing new. An in-memory tracer stands in for OpenTelemetry's: what is
/// tested is the interceptors' use of the tracing API.
final class RPCTracingTests: XCTestCase {
    /// Records what the handler saw: the metadata, and whether a span context was current.
    private func recordingRouter(_ seen: NIOLockedValueBox<[(RPCMetadata, ServiceContext?)]>, fails: Bool = false) -> RPCRouter {
        var router = RPCRouter()
        router.register(.echo) { request, context in
            seen.withLockedValue { $0.append((context.metadata, ServiceContext.current)) }
            if fails { throw RPCError.notFound("no \(request.text)") }
            return request
        }
        return router
    }

    func testTheServerSpanIsAChildOfTheClientSpanAndCurrentInTheHandler() async throws {
        let tracer = InMemoryTracer()
        let seen = NIOLockedValueBox<[(RPCMetadata, ServiceContext?)]>([])
        try await withInProcess(router: recordingRouter(seen), tracer: tracer) { client, _ in
            _ = try await tracer.withSpan("request", ofKind: .server) { _ in
                try await client.call(.echo, Echo(text: "hi"))
            }
        }
        let spans = tracer.finishedSpans
        let request = try XCTUnwrap(spans.first { $0.operationName == "request" })
        let clientSpan = try XCTUnwrap(spans.first { $0.kind == .client })
        let serverSpan = try XCTUnwrap(spans.first { $0.kind == .server && $0.operationName != "request" })
        XCTAssertEqual(clientSpan.operationName, "test/echo")
        XCTAssertEqual(serverSpan.operationName, "test/echo")
        XCTAssertEqual(clientSpan.parentSpanID, request.spanID)
        XCTAssertEqual(serverSpan.parentSpanID, clientSpan.spanID)
        XCTAssertEqual(serverSpan.traceID, request.traceID)
        XCTAssertEqual(clientSpan.attributes.get("rpc.system"), .string("kit-rpc"))
        XCTAssertEqual(clientSpan.attributes.get("rpc.service"), .string("test"))
        XCTAssertEqual(clientSpan.attributes.get("rpc.method"), .string("echo"))
        // The handler ran in the server span: calls it makes continue the trace.
        let handlerContext = try XCTUnwrap(seen.withLockedValue { $0.first?.1 })
        XCTAssertEqual(handlerContext.inMemorySpanContext?.spanID, serverSpan.spanID)
        XCTAssertEqual(seen.withLockedValue { $0.first?.0[InMemoryTracer.spanIDKey] }, clientSpan.spanID)
    }

    func testAFailedCallMarksBothSpansWithItsStatus() async throws {
        let tracer = InMemoryTracer()
        let seen = NIOLockedValueBox<[(RPCMetadata, ServiceContext?)]>([])
        try await withInProcess(router: recordingRouter(seen, fails: true), tracer: tracer) { client, _ in
            await assertRPCError(.notFound) { try await client.call(.echo, Echo(text: "x")) }
        }
        let spans = tracer.finishedSpans
        XCTAssertEqual(spans.count, 2)
        for span in spans {
            XCTAssertEqual(span.status?.code, .error, "\(span.kind)")
            XCTAssertEqual(span.attributes.get("rpc.response.status_code"), .string("notFound"), "\(span.kind)")
        }
    }

    func testWithoutATracerNothingIsAddedToTheCall() async throws {
        let seen = NIOLockedValueBox<[(RPCMetadata, ServiceContext?)]>([])
        try await withInProcess(router: recordingRouter(seen)) { client, _ in
            _ = try await client.call(.echo, Echo(text: "hi"))
        }
        let (metadata, context) = try XCTUnwrap(seen.withLockedValue { $0.first })
        XCTAssertTrue(metadata.isEmpty, "\(Array(metadata))")
        XCTAssertNil(context)
    }

    func testACallMadeOnBehalfOfAnotherCarriesItsTraceContextWhenNotTraced() async throws {
        let seen = NIOLockedValueBox<[(RPCMetadata, ServiceContext?)]>([])
        try await withInProcess(router: recordingRouter(seen)) { client, _ in
            var inbound = RPCMetadata()
            inbound.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            inbound[RPCMetadata.tracestateKey] = "vendor=1"
            let caller = RPCCallContext(
                method: "outer", callID: 1, metadata: inbound, deadline: nil, remoteAddress: nil, logger: quietLogger)
            _ = try await client.call(.echo, Echo(text: "hi"), options: RPCCallOptions(onBehalfOf: caller))
        }
        let metadata = try XCTUnwrap(seen.withLockedValue { $0.first?.0 })
        XCTAssertEqual(metadata.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        XCTAssertEqual(metadata[RPCMetadata.tracestateKey], "vendor=1")
    }

    func testACallInATraceItsCallerDoesNotRecordGetsNoSpanButKeepsItsTraceparent() async throws {
        let tracer = InMemoryTracer()
        let seen = NIOLockedValueBox<[(RPCMetadata, ServiceContext?)]>([])
        let transport = InProcessTransport(logger: quietLogger)
        let server = RPCServer(transport: transport.server, router: recordingRouter(seen), serviceName: "test", tracer: tracer)
        // The caller has no tracer: what arrives is its traceparent as it is.
        let client = RPCClient(transport: transport.client, logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server, client], logger: quietLogger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        while client.readyConnectionCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        for flags in ["00", "01"] {
            var metadata = RPCMetadata()
            metadata.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-\(flags)"
            _ = try await client.call(.echo, Echo(text: flags), options: RPCCallOptions(metadata: metadata))
        }
        let calls = seen.withLockedValue { $0 }
        XCTAssertNil(calls[0].1, "an unsampled call runs without a span")
        XCTAssertEqual(calls[0].0.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")
        XCTAssertNotNil(calls[1].1, "a sampled call runs in its span")
        XCTAssertEqual(tracer.finishedSpans.count, 1)
    }

    func testACallArrivingWithoutATraceIsSampledBeforeAnySpanIsMade() async throws {
        for ratio in [0.0, 1.0] {
            let tracer = InMemoryTracer()
            let seen = NIOLockedValueBox<[(RPCMetadata, ServiceContext?)]>([])
            // An untraced caller: only the server has a tracer, and a head sampler.
            try await withInProcess(
                router: recordingRouter(seen), tracer: tracer, traced: .server, headSampler: HeadSampler(ratio: ratio)
            ) { client, _ in
                for text in ["a", "b", "c"] { _ = try await client.call(.echo, Echo(text: text)) }
            }
            let calls = seen.withLockedValue { $0 }
            XCTAssertEqual(calls.count, 3)
            if ratio == 0 {
                XCTAssertTrue(tracer.finishedSpans.isEmpty, "no span for a trace left out")
                for (metadata, context) in calls {
                    XCTAssertNil(context)
                    // Its own unsampled trace, which the calls the handler makes carry on.
                    let traceparent = try XCTUnwrap(metadata.traceparent)
                    XCTAssertTrue(TraceParentPeek.hasVersion00Layout(traceparent), traceparent)
                    XCTAssertFalse(TraceParentPeek.isSampled(traceparent), traceparent)
                }
                XCTAssertEqual(Set(calls.map { $0.0.traceparent }).count, 3, "a new trace per call")
            } else {
                XCTAssertEqual(tracer.finishedSpans.filter { $0.kind == .server }.count, 3)
                XCTAssertTrue(calls.allSatisfy { $0.1 != nil }, "a recorded call runs in its span")
            }
        }
    }

    func testACallMadeOutsideAnyTraceIsSampledBeforeAnySpanIsMade() async throws {
        for ratio in [0.0, 1.0] {
            let tracer = InMemoryTracer()
            let seen = NIOLockedValueBox<[(RPCMetadata, ServiceContext?)]>([])
            try await withInProcess(
                router: recordingRouter(seen), tracer: tracer, traced: .client, headSampler: HeadSampler(ratio: ratio)
            ) { client, _ in
                _ = try await client.call(.echo, Echo(text: "outside"))
            }
            let metadata = try XCTUnwrap(seen.withLockedValue { $0.first?.0 })
            if ratio == 0 {
                XCTAssertTrue(tracer.finishedSpans.isEmpty)
                let traceparent = try XCTUnwrap(metadata.traceparent, "the server sees the decision")
                XCTAssertTrue(TraceParentPeek.hasVersion00Layout(traceparent), traceparent)
                XCTAssertFalse(TraceParentPeek.isSampled(traceparent), traceparent)
            } else {
                // The in-memory tracer writes its own keys rather than `traceparent`.
                let span = try XCTUnwrap(tracer.finishedSpans.first { $0.kind == .client })
                XCTAssertEqual(metadata[InMemoryTracer.spanIDKey], span.spanID)
            }
        }
    }

    func testTheTraceparentPeekReadsTheFlagsAndTheTraceID() {
        XCTAssertFalse(TraceParentPeek.isSampled("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"))
        XCTAssertTrue(TraceParentPeek.isSampled("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
        XCTAssertTrue(TraceParentPeek.isSampled("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03"))
        XCTAssertFalse(TraceParentPeek.isSampled("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02"))
        XCTAssertTrue(TraceParentPeek.isSampled("garbage"), "undecidable: the tracer decides")
        XCTAssertEqual(
            TraceParentPeek.traceID("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), "0af7651916cd43dd8448eb211c80319c")
        XCTAssertNil(TraceParentPeek.traceID("00-0af76519-b7ad6b7169203331-01"))
        XCTAssertNil(TraceParentPeek.traceID("short"))
        XCTAssertEqual(TraceParentPeek.spanID("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), "b7ad6b7169203331")
        XCTAssertEqual(
            TraceParentPeek.spanID("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-later"), "b7ad6b7169203331",
            "a later version's extra field is ignored")
        XCTAssertNil(TraceParentPeek.spanID("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x"))
        XCTAssertNil(TraceParentPeek.spanID("00-0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331-01"))
    }

    func testTheLinesOfACallServedWithoutASpanNameTheCallersTraceAndSpan() async throws {
        let seen = NIOLockedValueBox<[Logger.Metadata]>([])
        var router = RPCRouter()
        router.register(.echo) { request, context in
            seen.withLockedValue { $0.append(context.logger.handler.metadata) }
            return request
        }
        // A handler that keeps metadata (the quiet one drops it), writing nothing at this level.
        var keeping = Logger(label: "test") { StreamLogHandler.standardError(label: $0) }
        keeping.logLevel = .critical
        let transport = InProcessTransport(logger: keeping)
        let server = RPCServer(transport: transport.server, router: router, serviceName: "test")
        let client = RPCClient(transport: transport.client, logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server, client], logger: quietLogger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        while client.readyConnectionCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        var metadata = RPCMetadata()
        metadata.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
        _ = try await client.call(.echo, Echo(text: "hi"), options: RPCCallOptions(metadata: metadata))
        _ = try await client.call(.echo, Echo(text: "hi"))
        let lines = seen.withLockedValue { $0 }
        XCTAssertEqual(lines[0]["trace_id"]?.description, "0af7651916cd43dd8448eb211c80319c")
        XCTAssertEqual(lines[0]["span_id"]?.description, "b7ad6b7169203331")
        XCTAssertNil(lines[1]["trace_id"], "a call outside any trace names none")
    }

    func testTraceparentsMadeWithoutATracerAreVersion00() {
        let new = TraceParentText.newTrace(traceIDHigh: 0x0af7_6519_16cd_43dd, traceIDLow: 0x8448_eb21_1c80_319c, spanID: 0xb7)
        XCTAssertEqual(new, "00-0af7651916cd43dd8448eb211c80319c-00000000000000b7-00")
        XCTAssertEqual(
            TraceParentText.continuing("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", spanID: 0x00f0_67aa_0ba9_02b7),
            "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01", "the trace and its flags kept, the parent replaced")
        XCTAssertEqual(
            TraceParentText.continuing("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00-later", spanID: 1),
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000001-00", "a later version is sent on as version 00")
        XCTAssertNil(TraceParentText.continuing("garbage", spanID: 1))
        // W3C reads all-zero ids as invalid: never made, whatever the random numbers.
        XCTAssertEqual(
            TraceParentText.newTrace(traceIDHigh: 0, traceIDLow: 0, spanID: 0), "00-00000000000000000000000000000001-0000000000000001-00")
        XCTAssertEqual(
            TraceParentText.newTrace(traceIDHigh: 2, traceIDLow: 0, spanID: 3), "00-00000000000000020000000000000000-0000000000000003-00")
        XCTAssertEqual(
            TraceParentText.continuing("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", spanID: 0),
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000001-01")
    }

    func testLogMetadataNamesTheTraceAndTheSpanAHeaderContinues() {
        var logger = Logger(label: "test")
        TraceLogMetadata.add(traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", to: &logger)
        XCTAssertEqual(logger[metadataKey: "trace_id"]?.description, "0af7651916cd43dd8448eb211c80319c")
        XCTAssertEqual(logger[metadataKey: "span_id"]?.description, "b7ad6b7169203331")

        var metadata = Logger.Metadata()
        TraceLogMetadata.add(traceparent: "00-0af76519-b7ad6b7169203331-01", to: &metadata)
        TraceLogMetadata.add(traceparent: "", to: &metadata)
        XCTAssertTrue(metadata.isEmpty, "a header of another shape adds nothing")
    }

    func testSpanNamesFollowTheRPCConventions() {
        XCTAssertEqual(RPCSpanNaming.spanName(wireName: "users.get"), "users/get")
        XCTAssertEqual(RPCSpanNaming.spanName(wireName: "microposts.list@v2"), "microposts/list@v2")
        XCTAssertEqual(RPCSpanNaming.spanName(wireName: "ping"), "ping")
    }
}
