import RPC
import XCTest

/// The one host[:port] parser behind configuration, RPC targets and `Host` headers.
final class AuthorityTests: XCTestCase {
    func testAcceptedForms() throws {
        XCTAssertEqual(Authority(parsing: "example.com"), Authority(host: "example.com", port: nil))
        XCTAssertEqual(Authority(parsing: "example.com:8443"), Authority(host: "example.com", port: 8443))
        XCTAssertEqual(Authority(parsing: "[::1]"), Authority(host: "::1", port: nil))
        XCTAssertEqual(Authority(parsing: "[::1]:9000"), Authority(host: "::1", port: 9000))
        XCTAssertEqual(Authority(parsing: "10.0.0.1:1"), Authority(host: "10.0.0.1", port: 1))
        XCTAssertEqual(Authority(parsing: "h:65535")?.port, 65535)
    }

    func testRefusedForms() {
        for text in [
            "", ":80", "[]:80", "a:b:c", "::1", "[::1", "[::1]x", "[::1]:", "host:", "host:0", "host:65536",
            "host:+80", "host:-1", "host:8 0", "host:080000", "ho st:80", "host:٣", "host:99999999999999999999",
        ] {
            XCTAssertNil(Authority(parsing: text), text)
        }
    }

    func testHostPortNeedsAPortAndPrintsIPv6InBrackets() throws {
        XCTAssertNil(HostPort(parsing: "example.com"))
        let v6 = try XCTUnwrap(HostPort(parsing: "[fe80::1]:7101"))
        XCTAssertEqual(v6.description, "[fe80::1]:7101")
        XCTAssertEqual(HostPort(parsing: v6.description), v6)
        XCTAssertEqual(HostPort(parsing: "data:7102")?.description, "data:7102")
    }
}
