import FuzzTargets
import XCTest

/// Every committed fuzzing input (the seed corpus, and each input a fuzzer once failed on)
/// replayed through its target on every test run: a failure the fuzzer found stays fixed.
final class CorpusReplayTests: XCTestCase {
    private static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    private func replay(_ name: String, _ target: (UnsafeRawBufferPointer) -> Void) throws {
        let folders = ["Corpus", "Regressions"].map { Self.fuzzFolder.appendingPathComponent($0).appendingPathComponent(name).path }
        let inputs = try FuzzReplay.inputs(folders)
        XCTAssertGreaterThanOrEqual(inputs.count, 10, "the \(name) seed corpus is missing")
        for input in inputs {
            let bytes = try Data(contentsOf: input)
            bytes.withUnsafeBytes { target($0) }
        }
    }

    func testRPCWireCorpus() throws {
        try replay("rpc-wire", RPCWireFuzzing.run)
    }

    /// The edge under fuzzing really serves: files, the proxy, refusals (a target that
    /// answered nothing would pass every input).
    func testEdgeUnderFuzzingAnswersRequests() throws {
        func exchange(_ request: String) -> String {
            let response = Array(request.utf8).withUnsafeBytes { EdgeRequestFuzzing.exchange($0) }
            return String(decoding: response, as: UTF8.self)
        }
        let index = exchange("GET /static/index.html HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(index.hasPrefix("HTTP/1.1 200 OK\r\n"), index)
        XCTAssertTrue(index.hasSuffix("<title>fuzz</title>"), index)
        let api = exchange("POST /api/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertTrue(api.hasPrefix("HTTP/1.1 200 OK\r\n"), api)
        XCTAssertTrue(api.hasSuffix("\r\n\r\nhello"), api)
        XCTAssertTrue(exchange("GET /static/.hidden HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 "))
        XCTAssertTrue(exchange("GARBAGE\r\n\r\n").hasPrefix("HTTP/1.1 400 "))
        let pipelined = exchange("GET / HTTP/1.1\r\n\r\nGET /static/index.html HTTP/1.1\r\n\r\n")
        XCTAssertEqual(pipelined.components(separatedBy: "HTTP/1.1 200 OK").count, 3, pipelined)
    }

    func testEdgeRequestCorpus() throws {
        try replay("edge-request", EdgeRequestFuzzing.run)
    }
}
