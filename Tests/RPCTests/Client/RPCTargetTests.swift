import XCTest

@testable import RPC

final class RPCTargetTests: XCTestCase {
    func testParsesEveryForm() throws {
        XCTAssertEqual(try RPCTarget(parsing: "data:7000"), .hosts([.init(host: "data", port: 7000)]))
        XCTAssertEqual(
            try RPCTarget(parsing: "10.0.0.1:7000, 10.0.0.2:7001"),
            .hosts([.init(host: "10.0.0.1", port: 7000), .init(host: "10.0.0.2", port: 7001)]))
        XCTAssertEqual(try RPCTarget(parsing: "[::1]:7000"), .hosts([.init(host: "::1", port: 7000)]))
        XCTAssertEqual(try RPCTarget(parsing: "dns://worker:7001"), .dns(.init(host: "worker", port: 7001)))
        XCTAssertEqual(try RPCTarget(parsing: "unix:/tmp/data.sock"), .unix(path: "/tmp/data.sock"))
        XCTAssertEqual(try RPCTarget(parsing: "unix:/run/w1.sock,unix:/run/a,b.sock"), .unix(paths: ["/run/w1.sock", "/run/a,b.sock"]))
    }

    func testRejectsBadTargetsWithClearMessages() {
        for bad in [
            "data", "data:", "data:0", "data:70000", "data:abc", ":7000", "unix:", "unix:/a,unix:", "unix:,unix:/b", "dns://worker",
            "[::1]7000", "a:1,,b:2",
        ] {
            XCTAssertThrowsError(try RPCTarget(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("target"), "\(error)")
            }
        }
    }

    func testDescriptionRoundTrips() throws {
        for text in ["a:1,b:2", "dns://worker:7001", "unix:/tmp/x.sock", "unix:/tmp/x.sock,unix:/tmp/y.sock", "[::1]:9"] {
            XCTAssertEqual(try RPCTarget(parsing: text).description, text)
        }
    }
}
