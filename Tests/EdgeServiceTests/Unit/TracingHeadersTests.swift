import AppServerProtocol
import RPC
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
