import AppServerProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import RPC
import ServiceKit
import XCTest

@testable import EdgeService

final class LimitsTests: XCTestCase {
    func testAdmissionRefusesInNginxOrder() {
        let admission = RequestAdmission(maximumHeaderSize: 64, maximumBodySize: 10)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/api/x")
        head.headers.add(name: "Content-Length", value: "11")
        XCTAssertEqual(admission.check(head, route: .upstream(0), rateLimit: .allowed, maintenancePage: nil)?.status, .payloadTooLarge)
        XCTAssertEqual(
            admission.check(head, route: .upstream(0), rateLimit: .limited(retryAfter: 3), maintenancePage: nil)?.headers.last?.1, "3")
        head.headers.replaceOrAdd(name: "Content-Length", value: "5")
        XCTAssertNil(admission.check(head, route: .upstream(0), rateLimit: .allowed, maintenancePage: nil))
        XCTAssertEqual(admission.check(head, route: .upstream(0), rateLimit: nil, maintenancePage: [])?.status, .serviceUnavailable)
        head.headers.add(name: "Expect", value: "something-else")
        XCTAssertEqual(admission.check(head, route: .upstream(0), rateLimit: nil, maintenancePage: nil)?.status, .expectationFailed)
        let long = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/static/" + String(repeating: "a", count: 100))
        XCTAssertEqual(admission.check(long, route: .notFound, rateLimit: nil, maintenancePage: nil)?.status, .uriTooLong)
        var conflicting = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/api/x")
        conflicting.headers.add(name: "Content-Length", value: "1")
        conflicting.headers.add(name: "Content-Length", value: "2")
        XCTAssertEqual(admission.check(conflicting, route: .upstream(0), rateLimit: nil, maintenancePage: nil)?.status, .badRequest)
    }

    func testMaintenanceAnswersJSONToAPIClientsAndThePageToBrowsers() {
        let page = Array("<h1>back soon</h1>".utf8)
        XCTAssertEqual(MaintenanceResponse.body(page: page, accept: "text/html,application/xhtml+xml,*/*;q=0.8"), .page(page))
        XCTAssertEqual(MaintenanceResponse.body(page: page, accept: "application/json"), .json(MaintenanceResponse.errorBody))
        XCTAssertEqual(MaintenanceResponse.body(page: page, accept: "application/json, text/html"), .json(MaintenanceResponse.errorBody))
        XCTAssertEqual(MaintenanceResponse.body(page: page, accept: "*/*"), .json(MaintenanceResponse.errorBody))
        XCTAssertEqual(MaintenanceResponse.body(page: page, accept: nil), .json(MaintenanceResponse.errorBody))
        XCTAssertEqual(
            MaintenanceResponse.body(page: [], accept: "text/html"), .json(MaintenanceResponse.errorBody), "an empty file has no page")
    }

    func testUpstreamFailuresMapTo502503504() {
        XCTAssertEqual(UpstreamFailure(RPCError(.deadlineExceeded, "late")).status, .gatewayTimeout)
        let unavailable = UpstreamFailure(RPCError(.unavailable, "none", wasProcessed: false))
        XCTAssertEqual(unavailable.status, .serviceUnavailable)
        XCTAssertEqual(unavailable.retryAfter, 1)
        XCTAssertEqual(UpstreamFailure(RPCError(.unavailable, "lost")).status, .badGateway)
        XCTAssertEqual(UpstreamFailure(RPCError(.internal, "bug")).status, .badGateway)
        XCTAssertEqual(UpstreamFailure(CancellationError()).status, .badGateway)
        XCTAssertEqual(
            String(buffer: UpstreamFailure(RPCError(.internal, "x")).body.encoded()),
            #"{"error":"bad_gateway","message":"The upstream service failed to answer."}"#)
    }

    func testAccessLogTextLine() {
        let entry = AccessLogEntry(
            client: "10.0.0.1", method: "GET", target: "/static/a.css", version: "HTTP/1.1", status: 200, bytes: 1024,
            duration: .milliseconds(12), upstreamTime: nil, requestID: "r1", userAgent: "curl \"8\"", referer: nil)
        XCTAssertEqual(entry.textLine, #"10.0.0.1 "GET /static/a.css HTTP/1.1" 200 1024 "-" "curl \"8\"" rt=0.012 urt=-"#)
        XCTAssertEqual(AccessLogEntry.seconds(.milliseconds(1500)), "1.500")
        XCTAssertEqual(AccessLogEntry.seconds(.microseconds(2)), "0.000")
    }

    func testAnAccessLogWhoseLevelDropsInfoLinesBuildsNone() {
        var logger = Logger(label: "access")
        logger.logLevel = .info
        XCTAssertTrue(AccessLog(logger: logger, format: .text).isEnabled)
        logger.logLevel = .warning
        XCTAssertFalse(AccessLog(logger: logger, format: .text).isEnabled, "at warning the lines are dropped, so none is built")
        XCTAssertFalse(AccessLog(logger: nil, format: .json).isEnabled)
    }
}
