import AppServerProtocol
import RPC
import ServiceKit
import W3CTraceContext
import XCTest

@testable import EdgeService

final class TracingHeadersTests: XCTestCase {
    private let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    func testAValidClientTraceIsPassedOnWhenTracingIsOff() {
        var metadata = RPCMetadata()
        TraceHeaders.passThrough(
            [HTTPHeaderField(name: "TraceParent", value: valid), HTTPHeaderField(name: "tracestate", value: "vendor=1")],
            into: &metadata)
        XCTAssertEqual(metadata.traceparent, valid)
        XCTAssertEqual(metadata[RPCMetadata.tracestateKey], "vendor=1")
    }

    func testAnInvalidClientTraceIsDropped() {
        for bad in [
            "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", String(repeating: "0", count: 10_000),
        ] {
            var metadata = RPCMetadata()
            TraceHeaders.passThrough([HTTPHeaderField(name: "traceparent", value: bad)], into: &metadata)
            XCTAssertNil(metadata.traceparent, bad.prefix(60).description)
        }
    }

    func testAHeadSamplerKeepsTheTracerOutOfTracesNobodyRecords() throws {
        let never = HeadSampler(ratio: 0)
        let random = SplitMix64(seed: 7)

        // A client's unsampled trace goes on with a span id of the edge's, its flags and state kept.
        var metadata = RPCMetadata()
        let unsampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
        XCTAssertTrue(
            TraceHeaders.continueUnrecorded(
                [HTTPHeaderField(name: "traceparent", value: unsampled), HTTPHeaderField(name: "tracestate", value: "vendor=1")],
                sampler: HeadSampler(ratio: 1), random: random, into: &metadata))
        let continued = try XCTUnwrap(metadata.traceparent)
        XCTAssertTrue(continued.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-"), continued)
        XCTAssertTrue(continued.hasSuffix("-00"), continued)
        XCTAssertNotEqual(continued, unsampled, "the edge's own span id")
        XCTAssertEqual(metadata[RPCMetadata.tracestateKey], "vendor=1")

        // A client's sampled trace is the tracer's, whatever the ratio.
        metadata = RPCMetadata()
        XCTAssertFalse(
            TraceHeaders.continueUnrecorded(
                [HTTPHeaderField(name: "traceparent", value: valid)], sampler: never, random: random, into: &metadata))
        XCTAssertNil(metadata.traceparent)

        // A new trace left out by the sampler gets a valid, unsampled context of its own; one
        // picked by it is the tracer's. An invalid client header starts a new trace.
        for headers in [[], [HTTPHeaderField(name: "traceparent", value: "garbage")]] {
            metadata = RPCMetadata()
            XCTAssertTrue(TraceHeaders.continueUnrecorded(headers, sampler: never, random: random, into: &metadata))
            let started = try TraceContext(traceParentHeaderValue: try XCTUnwrap(metadata.traceparent))
            XCTAssertFalse(started.flags.contains(.sampled))
            metadata = RPCMetadata()
            XCTAssertFalse(TraceHeaders.continueUnrecorded(headers, sampler: HeadSampler(ratio: 1), random: random, into: &metadata))
            XCTAssertNil(metadata.traceparent)
        }
        // Different draws, different traces.
        var first = RPCMetadata()
        var second = RPCMetadata()
        _ = TraceHeaders.continueUnrecorded([], sampler: never, random: SplitMix64(seed: 1), into: &first)
        _ = TraceHeaders.continueUnrecorded([], sampler: never, random: SplitMix64(seed: 2), into: &second)
        XCTAssertNotEqual(first.traceparent, second.traceparent)
    }

    func testServerTimingListsTheEdgeTheUpstreamAndTheAppServersEntries() {
        XCTAssertEqual(
            ServerTiming.header(total: .microseconds(3_500), upstream: .microseconds(2_045), appEntries: "app;dur=1.900, db;dur=0.800"),
            "edge;dur=1.455, upstream;dur=2.045, app;dur=1.900, db;dur=0.800")
        XCTAssertEqual(ServerTiming.header(total: .milliseconds(1), upstream: .zero, appEntries: nil), "edge;dur=1.000, upstream;dur=0.000")
    }

    func testServerTimingGoesToTrustedClientsByDefault() {
        XCTAssertTrue(ServerTimingPolicy.trusted.exposes(toTrusted: true))
        XCTAssertFalse(ServerTimingPolicy.trusted.exposes(toTrusted: false))
        XCTAssertFalse(ServerTimingPolicy.off.exposes(toTrusted: true))
        XCTAssertTrue(ServerTimingPolicy.all.exposes(toTrusted: false))
        XCTAssertEqual(HTTPServerConfiguration().serverTiming, .trusted)
    }
}
