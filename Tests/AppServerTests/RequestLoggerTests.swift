import AppServer
import Logging
import RPC
import XCTest

/// The logger a route gets carries the request's id, whether the RPC server's logging
/// interceptor put it there already or not.
final class RequestLoggerTests: XCTestCase {
    private func loggedRequestID(metadata: RPCMetadata, loggerRequestID: String?) async -> String? {
        var logger = Logger(label: "test")
        if let loggerRequestID { logger[metadataKey: "request-id"] = "\(loggerRequestID)" }
        let reply = await ItemsApp.send("GET", "/logged-request-id", metadata: metadata, logger: logger)
        XCTAssertEqual(reply.status, 200)
        return reply.object["request-id"] as? String
    }

    func testTheCallersIDReachesTheRoutesLogger() async {
        let id = "0123456789abcdef0123456789abcdef"
        let alreadyOnTheLogger = await loggedRequestID(metadata: ["request-id": id], loggerRequestID: id)
        XCTAssertEqual(alreadyOnTheLogger, id)
        let onlyInTheMetadata = await loggedRequestID(metadata: ["request-id": id], loggerRequestID: nil)
        XCTAssertEqual(onlyInTheMetadata, id)
    }

    /// An id the service does not accept is replaced, on the logger too, even when the
    /// interceptor already logged it as it came.
    func testARefusedIDIsReplacedOnTheLogger() async throws {
        let refused = "not an id"
        let replaced = await loggedRequestID(metadata: ["request-id": refused], loggerRequestID: refused)
        let logged = try XCTUnwrap(replaced)
        XCTAssertNotEqual(logged, refused)
        XCTAssertNotEqual(logged, "none")
        XCTAssertEqual(logged.count, 32)
        let generated = await loggedRequestID(metadata: [:], loggerRequestID: nil)
        XCTAssertEqual(generated?.count, 32)
    }
}
