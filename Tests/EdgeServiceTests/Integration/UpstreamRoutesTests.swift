import AppServerProtocol
import Foundation
import NIOCore
import NIOHTTP1
import RPC
import ServiceKit
import XCTest

@testable import EdgeService

/// Several app services behind one edge: each path prefix goes to its own upstream.
final class UpstreamRoutesTests: XCTestCase {
    func testLongestPrefixWinsAndThePrefixWithoutItsSlashMatches() {
        let routes = UpstreamRoutes(prefixes: ["/api/", "/shop/", "/api/v2/"])
        XCTAssertEqual(routes.match("/api/users"), 0)
        XCTAssertEqual(routes.match("/api/v2/users"), 2)
        XCTAssertEqual(routes.match("/api/v2"), 2)
        XCTAssertEqual(routes.match("/shop"), 1)
        XCTAssertEqual(routes.match("/shop/cart"), 1)
        XCTAssertNil(routes.match("/shopping"))
        XCTAssertNil(routes.match("/static/x"))
        XCTAssertEqual(EdgeRoute(method: .POST, target: "/shop/cart?x=1", upstreams: routes), .upstream(1))
        XCTAssertEqual(
            EdgeRoute(method: .GET, target: "/static/a", upstreams: routes), .staticFile(StaticPath(segments: ["a"], isDirectory: false)))
    }

    func testRoutesSetting() throws {
        var reader = ConfigReader(arguments: ["--routes", "/shop/=dns://shop:7101  /blog/=unix:/run/blog.sock"], environment: [:])
        let configuration = EdgeService.configure(&reader)
        try reader.finish()
        XCTAssertEqual(configuration.routes.map(\.description), ["/shop/=dns://shop:7101", "/blog/=unix:/run/blog.sock"])
        XCTAssertEqual(configuration.upstreamTargets.map(\.prefix), ["/api/", "/shop/", "/blog/"])

        for bad in ["/shop=dns://shop:7101", "shop/=a:1", "/=a:1", "/static/x/=a:1", "/api/=a:1", "/a/=a:1 /a/=b:2", "/a/", "/a/=nowhere"] {
            var reader = ConfigReader(arguments: ["--routes", bad], environment: [:])
            _ = EdgeService.configure(&reader)
            XCTAssertThrowsError(try reader.finish(), bad) { XCTAssertTrue("\($0)".contains("--routes"), "\($0)") }
        }
    }

    func testEachPrefixReachesItsOwnUpstream() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.listen = HostPort(host: "127.0.0.1", port: 0)
        configuration.staticRoot = FileManager.default.temporaryDirectory.path
        configuration.accessLog = false
        let app = EdgeService.makeApplication(
            configuration,
            upstreams: [("/api/", NamedUpstream(name: "api")), ("/shop/", NamedUpstream(name: "shop"))],
            upstreamTimeout: .seconds(5), maintenance: nil, logger: quietLogger)
        let server = HTTPServer(app: app, logger: quietLogger)
        let task = Task { try await server.run() }
        defer { task.cancel() }
        let port = try await server.localAddress().port ?? 0

        let api = try await RawHTTPClient.get("/api/users", port: port)
        XCTAssertEqual(api.status, 200)
        XCTAssertEqual(String(decoding: api.body, as: UTF8.self), "api GET /api/users")
        let shop = try await RawHTTPClient.get("/shop/cart?item=1", port: port, method: "DELETE")
        XCTAssertEqual(shop.status, 200)
        XCTAssertEqual(String(decoding: shop.body, as: UTF8.self), "shop DELETE /shop/cart?item=1")
        let elsewhere = try await RawHTTPClient.get("/shopping", port: port)
        XCTAssertEqual(elsewhere.status, 404)
    }
}

/// Answers every request with its own name, the method and the target it was sent.
private struct NamedUpstream: Upstream {
    let name: String

    func send(_ request: HTTPEnvelopeRequest, options: RPCCallOptions) async throws -> HTTPEnvelopeResponse {
        XCTAssertEqual(options.isIdempotent, request.method != "POST" && request.method != "PATCH")
        return HTTPEnvelopeResponse(status: 200, headers: [], body: Array("\(name) \(request.method) \(request.target)".utf8))
    }
}
