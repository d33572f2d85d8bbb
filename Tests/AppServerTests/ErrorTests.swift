import AppServer
import HTTPTypes
import Logging
import NIOCore
import RPC
import XCTest

@testable import AppServer

/// Every failure becomes an `ErrorBody` with the right status: router misses, thrown errors,
/// backing-service errors, malformed envelopes.
final class ErrorTests: XCTestCase {
    func testUnknownPathIs404AndWrongMethodIs405WithAllow() async {
        let unknown = await ItemsApp.send("GET", "/nothing")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.errorCode, "not_found")
        XCTAssertEqual(unknown.header("Content-Type"), "application/json; charset=utf-8")
        let wrong = await ItemsApp.send("PUT", "/items/ana/1")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.errorCode, "method_not_allowed")
        XCTAssertEqual(wrong.header("Allow"), "GET, DELETE")
    }

    func testThrownErrorsAreAnsweredInTheErrorShape() async {
        let cancelled = await ItemsApp.send("GET", "/broken")
        XCTAssertEqual(cancelled.status, 504)
        XCTAssertEqual(cancelled.errorCode, "timeout")
        let crashed = await ItemsApp.send("GET", "/crash")
        XCTAssertEqual(crashed.status, 500)
        XCTAssertEqual(crashed.text, #"{"error":"internal_error","message":"The server failed to answer this request."}"#)
        XCTAssertEqual(crashed.header("X-Request-ID") ?? "req-1", "req-1")
    }

    func testBodiesAreCheckedForMediaTypeSizeAndShape() async {
        let json = [("Content-Type", "application/json")]
        let reply1 = await ItemsApp.send("POST", "/items", body: #"{"name":"a"}"#, headers: json)
        XCTAssertEqual(reply1.status, 201)
        let form = await ItemsApp.send("POST", "/items", body: "name=a", headers: [("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(form.status, 201)
        let reply2 = await ItemsApp.send("POST", "/items", body: #"{"name":"a"}"#)
        XCTAssertEqual(reply2.status, 415)
        let reply3 = await ItemsApp.send("POST", "/items", body: #"{"name":"a",}"#, headers: json)
        XCTAssertEqual(reply3.status, 400)
        XCTAssertEqual(reply3.message, "request body: not valid JSON (expected a member name at byte 12).")
        let repeated = await ItemsApp.send("POST", "/items", body: #"{"name":"a","name":"b"}"#, headers: json)
        XCTAssertEqual(repeated.message, #"request body: not valid JSON (member "name" given more than once at byte 12)."#)
        let huge = await ItemsApp.send("POST", "/items", body: #"{"name":"a","n":1e400}"#, headers: json)
        XCTAssertEqual(huge.message, "request body: a number is out of range.")
        let array = await ItemsApp.send("POST", "/items", body: "[1]", headers: json)
        XCTAssertEqual(array.message, "request body: expected a JSON object, got an array.")
        let escaped = await ItemsApp.send("POST", "/items", body: #" {"name" : "caf\u00e9 \ud83d\ude00"} "#, headers: json)
        XCTAssertEqual(escaped.status, 201)
        XCTAssertEqual(escaped.object["name"] as? String, "café 😀")
        let unknown = await ItemsApp.send("POST", "/items", body: #"{"name":"a","colour":1}"#, headers: json)
        XCTAssertEqual(unknown.message, "colour: unknown field; expected only name.")
        let wrongType = await ItemsApp.send("POST", "/items", body: #"{"name":1}"#, headers: json)
        XCTAssertEqual(wrongType.message, "name: expected a string, got a number.")
        let large = String(repeating: "a", count: AppRequestContext.bodyLimit + 1)
        let reply4 = await ItemsApp.send("POST", "/items", body: #"{"name":"\#(large)"}"#, headers: json)
        XCTAssertEqual(reply4.status, 413)
    }

    func testMalformedEnvelopesAre400() async {
        let reply5 = await ItemsApp.send("GET", "/items/ana/1", host: "evil.com/x@")
        XCTAssertEqual(reply5.status, 400)
        let reply6 = await ItemsApp.send("G ET", "/items/ana/1")
        XCTAssertEqual(reply6.status, 400)
        let reply7 = await ItemsApp.send("GET", "items/ana/1")
        XCTAssertEqual(reply7.status, 400)
    }

    /// A connection that broke mid-call leaves a write's outcome unknown: 502 and no
    /// `Retry-After`. A read, or an `unavailable` the service sent itself, is a 503.
    func testRPCErrorsMapToHTTP() {
        let logger = Logger(label: "test")
        let lost = RPCError(.unavailable, "connection closed before the response arrived", connectionLost: true)
        let write = APIError.from(lost, isIdempotent: false, logger: logger)
        XCTAssertEqual(write.status, .badGateway)
        XCTAssertNil(write.headers[.retryAfter])
        XCTAssertEqual(APIError.from(lost, isIdempotent: true, logger: logger).status, .serviceUnavailable)
        let refused = APIError.from(RPCError(.unavailable, "database unreachable"), isIdempotent: false, logger: logger)
        XCTAssertEqual(refused.status, .serviceUnavailable)
        XCTAssertEqual(refused.headers[.retryAfter], "1")
        let cases: [(RPCError, Int, String)] = [
            (RPCError(.deadlineExceeded, "slow"), 504, "timeout"),
            (RPCError(.internal, "secret detail"), 500, "internal_error"),
            (RPCError(.permissionDenied, "no"), 403, "forbidden"),
            (RPCError(.invalidArgument, "name: bad"), 400, "invalid_request"),
            (RPCError(.alreadyExists, "dup"), 409, "conflict"),
            (RPCError(.notFound, "gone"), 404, "not_found"),
        ]
        for (error, status, code) in cases {
            let mapped = APIError.from(error, isIdempotent: true, logger: logger)
            XCTAssertEqual(Int(mapped.status.code), status, "\(error)")
            XCTAssertEqual(mapped.code, code)
            XCTAssertFalse(mapped.message.contains("secret detail"))
        }
    }

    func testCollectingAResponseKeepsItsOnlyBufferAndJoinsSeveral() async throws {
        func address(_ buffer: ByteBuffer) -> UnsafeRawPointer? { buffer.withUnsafeReadableBytes { $0.baseAddress } }
        let body = ByteBuffer(string: #"{"a":1}"#)
        let one = CollectingBodyWriter()
        try await one.write(body)
        XCTAssertEqual(one.collected, body)
        XCTAssertEqual(address(one.collected), address(body), "copied")

        let several = CollectingBodyWriter()
        for part in ["", "ab", "", "cd"] { try await several.write(ByteBuffer(string: part)) }
        XCTAssertEqual(String(buffer: several.collected), "abcd")
    }
}
