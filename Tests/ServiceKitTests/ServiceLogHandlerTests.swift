import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceKit
import XCTest

final class ServiceLogHandlerTests: XCTestCase {
    /// 2024-02-29T23:59:58.007Z: a leap day, and milliseconds that need zero padding.
    private static let fixedTime = LogTimestamp(secondsSinceEpoch: 1_709_251_198, milliseconds: 7)

    private func makeLogger(
        _ format: LogFormat,
        level: Logger.Level = .info,
        capture: LogCapture,
        provider: Logger.MetadataProvider? = nil
    ) -> Logger {
        Logger(label: "test") { _ in
            ServiceLogHandler(
                service: "data", format: format, level: level, metadataProvider: provider,
                writer: capture.writer, clock: { Self.fixedTime })
        }
    }

    func testTimestampIsISO8601UTCWithMilliseconds() {
        XCTAssertEqual(Self.fixedTime.description, "2024-02-29T23:59:58.007Z")
        XCTAssertEqual(LogTimestamp(secondsSinceEpoch: 0, milliseconds: 999).description, "1970-01-01T00:00:00.999Z")
    }

    func testRealClockHasTheSameShape() throws {
        let text = LogTimestamp.now().description
        let shape = try NSRegularExpression(pattern: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#)
        XCTAssertEqual(shape.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)), 1, text)
    }

    func testTextLine() {
        let capture = LogCapture()
        var logger = makeLogger(.text, capture: capture)
        logger[metadataKey: "request-id"] = "req-42"
        logger[metadataKey: "zone"] = "b"
        logger.info("listening", metadata: ["port": "9102", "address": "0.0.0.0", "note": "two words"])
        XCTAssertEqual(
            capture.lines,
            [#"2024-02-29T23:59:58.007Z INFO data [req-42] listening address=0.0.0.0 note="two words" port=9102 zone=b"# + "\n"]
        )
    }

    func testTextLineWithoutRequestID() {
        let capture = LogCapture()
        makeLogger(.text, capture: capture).warning("slow")
        XCTAssertEqual(capture.lines, ["2024-02-29T23:59:58.007Z WARNING data slow\n"])
    }

    func testTextEscapingKeepsOneLinePerEvent() {
        let capture = LogCapture()
        makeLogger(.text, capture: capture).error(
            "line one\nline two",
            metadata: ["quote": #"say "hi" \ bye"#, "empty": "", "bad key": "x=y"]
        )
        XCTAssertEqual(
            capture.lines,
            [
                #"2024-02-29T23:59:58.007Z ERROR data line one\nline two bad_key="x=y" empty="" quote="say \"hi\" \\ bye""#
                    + "\n"
            ]
        )
    }

    func testJSONLine() throws {
        let capture = LogCapture()
        var logger = makeLogger(.json, capture: capture)
        logger[metadataKey: "request-id"] = "req-42"
        logger.notice(
            "he said \"hi\"\n\tand left \u{1}é",
            metadata: ["count": .stringConvertible(3), "tags": ["a", "b"], "nested": ["k": "v"], "level": "shadowed?"]
        )
        let line = try XCTUnwrap(capture.lines.first)
        XCTAssertEqual(capture.lines.count, 1)
        XCTAssertEqual(
            line,
            #"{"timestamp":"2024-02-29T23:59:58.007Z","level":"notice","service":"data","request_id":"req-42","#
                + #""message":"he said \"hi\"\n\tand left \u0001é","#
                + #""metadata":{"count":"3","level":"shadowed?","nested":{"k":"v"},"tags":["a","b"]}}"# + "\n"
        )
        // And it is valid JSON that round-trips the escaped message.
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["message"] as? String, "he said \"hi\"\n\tand left \u{1}é")
        XCTAssertEqual(object["level"] as? String, "notice")
    }

    func testJSONOmitsEmptyMetadataAndAbsentRequestID() {
        let capture = LogCapture()
        makeLogger(.json, capture: capture).info("ok")
        XCTAssertEqual(
            capture.lines,
            [#"{"timestamp":"2024-02-29T23:59:58.007Z","level":"info","service":"data","message":"ok"}"# + "\n"]
        )
    }

    func testLevelFilteringHappensBeforeTheMessageIsBuilt() {
        let capture = LogCapture()
        let logger = makeLogger(.text, level: .info, capture: capture)
        let evaluated = LockedFlag()
        logger.debug("\(evaluated.set())")
        logger.trace("dropped")
        XCTAssertEqual(capture.writeCount, 0)
        XCTAssertFalse(evaluated.value, "a filtered message must not even be interpolated")

        let direct = ServiceLogHandler(service: "data", level: .error, writer: capture.writer, clock: { Self.fixedTime })
        direct.log(
            event: LogEvent(
                level: .warning, message: "below", metadata: nil, source: nil, file: #file, function: #function,
                line: #line))
        XCTAssertEqual(capture.writeCount, 0, "the handler filters too when used directly")
    }

    func testCallSiteMetadataWinsOverProviderAndHandlerMetadata() {
        let capture = LogCapture()
        let provider = Logger.MetadataProvider { ["source-of-truth": "provider", "request-id": "from-provider"] }
        var logger = makeLogger(.text, capture: capture, provider: provider)
        logger[metadataKey: "source-of-truth"] = "handler"
        logger.info("x", metadata: ["request-id": "from-call"])
        XCTAssertEqual(capture.lines, ["2024-02-29T23:59:58.007Z INFO data [from-call] x source-of-truth=provider\n"])
    }

    func testEachEventIsExactlyOneWrite() {
        let capture = LogCapture()
        let logger = makeLogger(.text, capture: capture)
        DispatchQueue.concurrentPerform(iterations: 200) { index in
            logger.info("event", metadata: ["index": "\(index)"])
        }
        XCTAssertEqual(capture.writeCount, 200)
        XCTAssertTrue(capture.lines.allSatisfy { $0.hasSuffix("\n") && $0.dropLast().contains("\n") == false })
    }
}

/// A flag set from inside an autoclosure, to observe whether it ran.
private final class LockedFlag: Sendable {
    private let state = NIOLockedValueBox(false)

    var value: Bool { state.withLockedValue { $0 } }

    func set() -> String {
        state.withLockedValue { $0 = true }
        return "evaluated"
    }
}
