import RPC
import ServiceKit
import XCTest

final class SettingKindsTests: XCTestCase {
    func testDurations() {
        let setting = Setting.duration("timeout", env: "TIMEOUT", default: .seconds(30), help: "Timeout.")
        XCTAssertEqual(setting.parse("250ms"), .milliseconds(250))
        XCTAssertEqual(setting.parse("30s"), .seconds(30))
        XCTAssertEqual(setting.parse("2m"), .seconds(120))
        XCTAssertEqual(setting.parse("1h"), .seconds(3600))
        XCTAssertEqual(setting.parse("45"), .seconds(45), "a bare number means seconds")
        XCTAssertEqual(setting.parse("0"), .zero)
        for invalid in ["", "s", "-1s", "1.5s", "10 s", "5d", "ms", "99999999999999999999s", "9223372036854775807h"] {
            XCTAssertNil(setting.parse(invalid), invalid)
        }
    }

    func testDurationDefaultsAreShownInTheirLargestExactUnit() {
        func shown(_ duration: Duration) -> String {
            Setting.duration("t", env: "T", default: duration, help: "").defaultDescription
        }
        XCTAssertEqual(shown(.seconds(30)), "30s")
        XCTAssertEqual(shown(.milliseconds(250)), "250ms")
        XCTAssertEqual(shown(.milliseconds(1500)), "1500ms")
        XCTAssertEqual(shown(.seconds(120)), "2m")
        XCTAssertEqual(shown(.seconds(7200)), "2h")
        XCTAssertEqual(shown(.zero), "0s")
    }

    func testHostPort() {
        let setting = Setting.hostPort(
            "upstream", env: "UPSTREAM", default: HostPort(host: "localhost", port: 7101), help: "Upstream.")
        XCTAssertEqual(setting.parse("worker:7101"), HostPort(host: "worker", port: 7101))
        XCTAssertEqual(setting.parse("10.0.0.1:80"), HostPort(host: "10.0.0.1", port: 80))
        XCTAssertEqual(setting.parse("[::1]:8080"), HostPort(host: "::1", port: 8080))
        XCTAssertEqual(HostPort(host: "::1", port: 8080).description, "[::1]:8080")
        XCTAssertEqual(setting.defaultDescription, "localhost:7101")
        for invalid in ["worker", ":80", "worker:", "worker:0", "worker:65536", "worker:+80", "::1:80", "[::1]80", "a b:1"] {
            XCTAssertNil(setting.parse(invalid), invalid)
        }
    }

    func testIntRangeAndPort() {
        let workers = Setting.int("workers", env: "WORKERS", default: 4, range: 1...64, help: "")
        XCTAssertEqual(workers.parse("64"), 64)
        XCTAssertNil(workers.parse("65"))
        XCTAssertNil(workers.parse("4.0"))
        let port = Setting.port("port", env: "PORT", default: 80, help: "")
        XCTAssertEqual(port.parse("65535"), 65535)
        XCTAssertNil(port.parse("0"))
    }

    func testChoiceIsCaseInsensitive() {
        let format = Setting.choice("log-format", env: "LOG_FORMAT", default: LogFormat.text, help: "")
        XCTAssertEqual(format.parse("JSON"), .json)
        XCTAssertEqual(format.placeholder, "<text|json>")
        XCTAssertNil(format.parse("yaml"))
    }

    func testStringAcceptsAnything() {
        let name = Setting.string("name", env: "NAME", default: "", help: "")
        XCTAssertEqual(name.parse("a b=c"), "a b=c")
        XCTAssertEqual(name.defaultDescription, #""""#)
    }
}
