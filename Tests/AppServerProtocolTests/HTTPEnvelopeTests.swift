import AppServerProtocol
import MicropostsModels
import NIOCore
import RPC
import XCTest

final class HTTPEnvelopeTests: XCTestCase {
    private let request = HTTPEnvelopeRequest(
        method: "POST", target: "/api/users/ana/collection?page=2",
        headers: [.init(name: "Content-Type", value: "application/json"), .init(name: "X-Request-ID", value: "r1")],
        body: Array(#"{"text":"héllo 👋"}"#.utf8), clientAddress: "203.0.113.7", scheme: "https", host: "example.com", port: 443)

    func testEnvelopeRoundTripsInBothEncodings() throws {
        for encoding in PayloadEncoding.allCases {
            var buffer = ByteBuffer()
            try encoding.encode(request, into: &buffer)
            XCTAssertEqual(try encoding.decode(HTTPEnvelopeRequest.self, from: &buffer), request, "\(encoding)")
        }
        let response = HTTPEnvelopeResponse(status: 201, headers: [.init(name: "Location", value: "/x")], body: [1, 2, 3])
        var buffer = ByteBuffer()
        try PayloadEncoding.binary.encode(response, into: &buffer)
        XCTAssertEqual(try PayloadEncoding.binary.decode(HTTPEnvelopeResponse.self, from: &buffer), response)
    }

    func testBinaryIsSmallerThanJSON() throws {
        var binary = ByteBuffer()
        var json = ByteBuffer()
        try PayloadEncoding.binary.encode(request, into: &binary)
        try PayloadEncoding.json.encode(request, into: &json)
        // A key per field and a count per header: still well under two thirds of JSON.
        XCTAssertLessThan(binary.readableBytes * 3, json.readableBytes * 2)
    }

    func testDescriptorIsNotIdempotent() {
        XCTAssertEqual(RPCMethod.handleHTTP.name, "worker.http")
        XCTAssertFalse(RPCMethod.handleHTTP.isIdempotent)
    }
}
