import AppServerProtocol
import NIOCore
import NIOHTTP1
import XCTest

@testable import EdgeService

final class ForwardingTests: XCTestCase {
    func testAddressRanges() throws {
        let ten = try XCTUnwrap(IPAddressRange("10.0.0.0/8"))
        XCTAssertTrue(ten.contains(try XCTUnwrap(IPAddress("10.200.3.4"))))
        XCTAssertFalse(ten.contains(try XCTUnwrap(IPAddress("11.0.0.1"))))
        XCTAssertTrue(ten.contains(try XCTUnwrap(IPAddress("::ffff:10.1.2.3"))), "IPv4-mapped IPv6 is IPv4")
        let v6 = try XCTUnwrap(IPAddressRange("fd00::/8"))
        XCTAssertTrue(v6.contains(try XCTUnwrap(IPAddress("fd12::1"))))
        XCTAssertFalse(v6.contains(try XCTUnwrap(IPAddress("10.0.0.1"))))
        let odd = try XCTUnwrap(IPAddressRange("192.168.1.128/25"))
        XCTAssertTrue(odd.contains(try XCTUnwrap(IPAddress("192.168.1.200"))))
        XCTAssertFalse(odd.contains(try XCTUnwrap(IPAddress("192.168.1.127"))))
        XCTAssertNil(IPAddressRange("10.0.0.0/33"))
        XCTAssertNil(IPAddressRange("example.com"))
        XCTAssertNil(TrustedProxies(parsing: "10.0.0.0/8, nonsense"))
        XCTAssertEqual(TrustedProxies(parsing: "")?.ranges.count, 0)
    }

    func testUntrustedPeerIsTheClientAndItsForwardedForIsDropped() {
        let trusted = TrustedProxies(parsing: "10.0.0.0/8")!
        let forwarded = ForwardedFor(peer: "203.0.113.9", incoming: ["1.2.3.4"], trusted: trusted)
        XCTAssertEqual(forwarded, ForwardedFor(peer: "203.0.113.9", incoming: [], trusted: .none))
        XCTAssertEqual(forwarded.clientAddress, "203.0.113.9")
        XCTAssertEqual(forwarded.header, "203.0.113.9")
    }

    func testTrustedPeerIsAppendedAndTheClientIsTheRightmostUntrustedHop() {
        let trusted = TrustedProxies(parsing: "10.0.0.0/8")!
        let forwarded = ForwardedFor(peer: "10.0.0.2", incoming: ["6.6.6.6, 198.51.100.7", "10.0.0.1"], trusted: trusted)
        XCTAssertEqual(forwarded.clientAddress, "198.51.100.7", "the spoofable leftmost entry is not believed")
        XCTAssertEqual(forwarded.header, "6.6.6.6, 198.51.100.7, 10.0.0.1, 10.0.0.2")
        XCTAssertEqual(ForwardedFor(peer: "10.0.0.2", incoming: [], trusted: trusted).clientAddress, "10.0.0.2")
        XCTAssertEqual(ForwardedFor(peer: "10.0.0.2", incoming: ["garbage"], trusted: trusted).clientAddress, "10.0.0.2")
    }

    func testEnvelopeCarriesClientSchemeHostPortAndForwardingHeaders() {
        let builder = UpstreamRequestBuilder(trustedProxies: TrustedProxies(parsing: "127.0.0.1")!, listenPort: 8080)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/api/users?x=1")
        head.headers.add(name: "Host", value: "example.com:8443")
        head.headers.add(name: "X-Forwarded-Proto", value: "https")
        head.headers.add(name: "X-Forwarded-For", value: "198.51.100.7")
        head.headers.add(name: "Connection", value: "keep-alive, X-Secret-Hop")
        head.headers.add(name: "X-Secret-Hop", value: "1")
        head.headers.add(name: "Authorization", value: "Bearer t")
        let forwarded = ForwardedFor(peer: "127.0.0.1", incoming: ["198.51.100.7"], trusted: builder.trustedProxies)
        let envelope = builder.envelope(
            head: head, body: ByteBuffer(string: "{}"), peer: "127.0.0.1", forwardedFor: forwarded, requestID: "r1")
        XCTAssertEqual(envelope.clientAddress, "198.51.100.7")
        XCTAssertEqual(envelope.scheme, "https")
        XCTAssertEqual(envelope.host, "example.com")
        XCTAssertEqual(envelope.port, 8443)
        XCTAssertEqual(envelope.target, "/api/users?x=1")
        let headers = Dictionary(envelope.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        XCTAssertEqual(headers["x-forwarded-for"], "198.51.100.7, 127.0.0.1")
        XCTAssertEqual(headers["x-real-ip"], "198.51.100.7")
        XCTAssertEqual(headers["x-forwarded-proto"], "https")
        XCTAssertEqual(headers["x-forwarded-host"], "example.com:8443")
        XCTAssertEqual(headers["x-request-id"], "r1")
        XCTAssertEqual(headers["content-length"], "2")
        XCTAssertEqual(headers["authorization"], "Bearer t")
        XCTAssertNil(headers["connection"])
        XCTAssertNil(headers["x-secret-hop"], "headers named by Connection are hop-by-hop")
    }

    func testUntrustedForwardedProtoIsIgnoredAndPortDefaultsFromScheme() {
        let builder = UpstreamRequestBuilder(trustedProxies: .none, listenPort: 8080)
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/api/x")
        head.headers.add(name: "Host", value: "example.com")
        head.headers.add(name: "X-Forwarded-Proto", value: "https")
        let envelope = builder.envelope(
            head: head, body: ByteBuffer(), peer: "127.0.0.1", forwardedFor: ForwardedFor(peer: "127.0.0.1", incoming: [], trusted: .none),
            requestID: "r")
        XCTAssertEqual(envelope.scheme, "http")
        XCTAssertEqual(envelope.port, 80)
        let noHost = builder.envelope(
            head: HTTPRequestHead(version: .http1_0, method: .GET, uri: "/api/x"), body: ByteBuffer(), peer: "127.0.0.1",
            forwardedFor: ForwardedFor(peer: "127.0.0.1", incoming: [], trusted: .none), requestID: "r")
        XCTAssertEqual(noHost.port, 8080)
    }

    func testHostHeaderParsing() {
        XCTAssertEqual(HostHeader("example.com:8080"), HostHeader("example.com:8080"))
        XCTAssertEqual(HostHeader("example.com:8080")?.port, 8080)
        XCTAssertEqual(HostHeader("[::1]:9000")?.host, "::1")
        XCTAssertEqual(HostHeader("[::1]:9000")?.port, 9000)
        XCTAssertNil(HostHeader("a:b:c"))
        XCTAssertNil(HostHeader("evil.com/path"))
        XCTAssertNil(HostHeader("host:99999"))
    }
}
