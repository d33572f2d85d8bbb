import RPC
import XCTest

final class HeadSamplerTests: XCTestCase {
    func testTheRatioDecidesOverUniformDraws() {
        XCTAssertTrue(HeadSampler(ratio: 1).records(draw: .max))
        XCTAssertFalse(HeadSampler(ratio: 0).records(draw: 0))
        let sampler = HeadSampler(ratio: 0.01)
        XCTAssertTrue(sampler.records(draw: 0))
        XCTAssertTrue(sampler.records(draw: UInt64.max / 200))
        XCTAssertFalse(sampler.records(draw: UInt64.max / 50))
        // Over many draws of the kit's generator, close to the ratio.
        var random = SplitMix64(seed: 42)
        let recorded = (0..<100_000).filter { _ in sampler.records(draw: random.next()) }.count
        XCTAssertEqual(Double(recorded) / 100_000, 0.01, accuracy: 0.002)
    }

    func testTheStandardSamplerVariableIsReadAsOpenTelemetryDefinesIt() {
        XCTAssertEqual(HeadSampler(sampler: nil, ratio: 0.25)?.ratio, 0.25)
        XCTAssertEqual(HeadSampler(sampler: "parentbased_traceidratio", ratio: 0.25)?.ratio, 0.25)
        XCTAssertEqual(HeadSampler(sampler: "traceidratio", ratio: 0.25)?.ratio, 0.25)
        XCTAssertEqual(HeadSampler(sampler: "always_on", ratio: 0.25)?.ratio, 1)
        XCTAssertEqual(HeadSampler(sampler: "parentbased_always_off", ratio: 0.25)?.ratio, 0)
        XCTAssertNil(HeadSampler(sampler: "parentbased_jaeger_remote", ratio: 0.25), "left to the tracer")
    }
}
