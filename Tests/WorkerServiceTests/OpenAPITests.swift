import AppServer
import Foundation
import HTTPTypes
import XCTest

@testable import WorkerService

/// The served OpenAPI document against the route table it is generated from.
final class OpenAPITests: XCTestCase {
    func testDocumentDescribesExactlyTheRoutes() async throws {
        let harness = try await WorkerHarness()
        defer { harness.shutdown() }
        let response = await harness.send("GET", "/api/openapi.json")
        XCTAssertEqual(response.status, 200)
        let document = response.object
        XCTAssertEqual(document["openapi"] as? String, "3.0.3")
        XCTAssertEqual((document["servers"] as? [[String: Any]])?.first?["url"] as? String, "https://api.example.com")
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])

        let routes = harness.components.api.routes.routes
        var documented = Set<String>()
        for (path, item) in paths { for method in item.keys { documented.insert("\(method.uppercased()) \(path)") } }
        XCTAssertEqual(documented, Set(routes.map { "\($0.method.rawValue) \($0.path)" }))

        let schemas = try XCTUnwrap((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        for route in routes {
            let operation = try XCTUnwrap(paths[route.path]?[route.method.rawValue.lowercased()] as? [String: Any])
            let responses = try XCTUnwrap(operation["responses"] as? [String: Any])
            XCTAssertEqual(responses["401"] != nil, route.requiresAuthentication, "\(route.path)")
            XCTAssertEqual((operation["security"] as? [Any])?.isEmpty, !route.requiresAuthentication)
            let names = ((operation["parameters"] as? [[String: Any]]) ?? []).filter { $0["in"] as? String == "path" }.compactMap {
                $0["name"] as? String
            }
            XCTAssertEqual(names, route.pathParameters)
            for reply in route.documentation.replies { XCTAssertNotNil(responses[String(reply.status)]) }
        }
        // Path parameters are typed by their declarations: ids as integers, usernames by their rule.
        let micropost = try XCTUnwrap(paths["/api/users/{username}/collection/{id}"]?["get"] as? [String: Any])
        let parameters = try XCTUnwrap(micropost["parameters"] as? [[String: Any]])
        let id = try XCTUnwrap(parameters.first { $0["name"] as? String == "id" }?["schema"] as? [String: Any])
        XCTAssertEqual(id["type"] as? String, "integer")
        XCTAssertEqual(id["format"] as? String, "int64")
        XCTAssertEqual(id["minimum"] as? Int, 1)
        let username = try XCTUnwrap(parameters.first { $0["name"] as? String == "username" }?["schema"] as? [String: Any])
        XCTAssertEqual(username["pattern"] as? String, "^[A-Za-z0-9_.-]{1,50}$")
        let unfollow = try XCTUnwrap(paths["/api/users/{username}/following/{other}"]?["delete"] as? [String: Any])
        let other = try XCTUnwrap((unfollow["parameters"] as? [[String: Any]])?.last?["schema"] as? [String: Any])
        XCTAssertEqual(other["pattern"] as? String, "^[A-Za-z0-9_.-]{1,50}$")
        let search = try XCTUnwrap(paths["/api/search"]?["get"] as? [String: Any])
        let text = try XCTUnwrap((search["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == "text" })
        XCTAssertEqual(text["required"] as? Bool, true)
        XCTAssertEqual((text["schema"] as? [String: Any])?["minLength"] as? Int, 3)

        // Every $ref resolves.
        for reference in response.text.components(separatedBy: "#/components/schemas/").dropFirst() {
            let name = String(reference.prefix { $0 != "\"" })
            XCTAssertNotNil(schemas[name], name)
        }
    }

    /// A status code a handler answered must be documented for its operation.
    func testStatusesSeenInTheseTestsAreDocumented() async throws {
        let harness = try await WorkerHarness()
        defer { harness.shutdown() }
        let document = harness.components.api.openAPIDocument(serverURL: "http://x")
        func documented(_ method: String, _ path: String, _ status: Int) -> Bool {
            guard case .object(let paths)? = document["paths"], case .object(let item)? = paths[path],
                case .object(let operation)? = item[method.lowercased()], case .object(let responses)? = operation["responses"]
            else { return false }
            return responses[String(status)] != nil
        }
        let token = try await harness.user("ana")
        let samples: [(String, String, String, String?, Int)] = [
            ("POST", "/api/users", "/api/users", #"{"username":"ana","password":"password123"}"#, 409),
            ("GET", "/api/users/{username}", "/api/users/zed", nil, 404),
            ("GET", "/api/users/{username}/collection", "/api/users/ana/collection?page=0", nil, 400),
            ("POST", "/api/users/{username}/collection", "/api/users/ana/collection", #"{"text":""}"#, 400),
            ("DELETE", "/api/token", "/api/token", nil, 204),
        ]
        for (method, template, target, json, expected) in samples {
            let response = await harness.send(method, target, json: json, token: token)
            XCTAssertEqual(response.status, expected, "\(method) \(target)")
            XCTAssertTrue(documented(method, template, response.status), "\(method) \(template) \(response.status)")
        }
    }
}
