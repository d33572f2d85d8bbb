import AppServer
import HTTPTypes
import NIOCore
import XCTest

/// The OpenAPI document generated from a route table: parameters typed from their
/// declarations, the app's schemas and security, and the errors each route implies.
final class OpenAPIGenerationTests: XCTestCase {
    private let document = OpenAPIDocument.make(routes: ItemsApp.routes, info: ItemsApp.info, serverURL: "https://items.example")

    private func operation(_ method: String, _ path: String) -> JSONValue? {
        document["paths"]?[path]?[method]
    }

    private func parameters(_ method: String, _ path: String) -> [String: JSONValue] {
        guard case .array(let list)? = operation(method, path)?["parameters"] else { return [:] }
        var byName: [String: JSONValue] = [:]
        for entry in list { if case .string(let name)? = entry["name"] { byName[name] = entry } }
        return byName
    }

    func testPathParametersAreTypedFromTheirDeclarations() {
        let item = parameters("get", "/items/{owner}/{id}")
        XCTAssertEqual(
            item["id"],
            [
                "name": "id", "in": "path", "required": true, "description": "The item's number.",
                "schema": ["type": "integer", "format": "int64", "minimum": 1],
            ])
        XCTAssertEqual(
            item["owner"], ["name": "owner", "in": "path", "required": true, "schema": ["type": "string", "pattern": "^[a-z0-9_-]{1,8}$"]])
    }

    func testQueryParametersAreTypedWithRequiredAndDefaults() {
        let search = parameters("get", "/search")
        XCTAssertEqual(
            search["q"],
            [
                "name": "q", "in": "query", "required": true, "description": "Words to find.",
                "schema": ["type": "string", "minLength": 2, "maxLength": 5],
            ])
        XCTAssertEqual(
            search["limit"],
            [
                "name": "limit", "in": "query", "required": false, "description": "How many.",
                "schema": ["type": "integer", "format": "int64", "minimum": 1, "maximum": 50, "default": 10],
            ])
        XCTAssertEqual(search["offset"]?["schema"], ["type": "integer", "format": "int64", "minimum": -5, "maximum": 5])
    }

    func testTheAppSuppliesInfoSchemasAndSecurity() {
        XCTAssertEqual(document["openapi"], "3.0.3")
        XCTAssertEqual(document["info"], ["title": "Items", "version": "2.0.0", "description": "Test items."])
        XCTAssertEqual(document["servers"], [["url": "https://items.example"]])
        XCTAssertEqual(document["components"]?["securitySchemes"], ["names": ["type": "http", "scheme": "basic"]])
        XCTAssertEqual(document["components"]?["schemas"]?["Item"], ["type": "object"])
        XCTAssertEqual(
            document["components"]?["schemas"]?["Error"]?["required"], ["error", "message"], "the kit's error shape is always there")
        XCTAssertEqual(operation("delete", "/items/{owner}/{id}")?["security"], [["names": []]])
        XCTAssertEqual(operation("get", "/items/{owner}/{id}")?["security"], [])
    }

    func testErrorsFollowFromWhatARouteDeclares() {
        func statuses(_ method: String, _ path: String) -> Set<String> {
            guard case .object(let responses)? = operation(method, path)?["responses"] else { return [] }
            return Set(responses.keys)
        }
        XCTAssertEqual(statuses("get", "/items/{owner}/{id}"), ["200", "400", "404", "503", "504", "default"])
        XCTAssertEqual(statuses("delete", "/items/{owner}/{id}"), ["204", "400", "401", "404", "503", "504", "default"])
        XCTAssertEqual(statuses("get", "/search"), ["200", "400", "401", "503", "504", "default"])
        XCTAssertEqual(statuses("post", "/items"), ["201", "400", "413", "415", "503", "504", "default"])
        XCTAssertEqual(statuses("get", "/broken"), ["503", "504", "default"])
        XCTAssertEqual(
            operation("post", "/items")?["requestBody"]?["content"],
            [
                "application/json": ["schema": ["$ref": "#/components/schemas/Item"]],
                "application/x-www-form-urlencoded": ["schema": ["$ref": "#/components/schemas/Item"]],
            ])
        XCTAssertNotNil(operation("post", "/items")?["responses"]?["201"]?["headers"]?["Location"])
    }

    /// The document's JSON is what the router would serve: it encodes, and every path of the
    /// table is in it with exactly its methods.
    func testEveryRouteIsAnOperation() throws {
        let text = String(buffer: JSONResponse.encode(document))
        XCTAssertTrue(text.hasPrefix(#"{"components":"#), text.prefix(40).description)
        var documented = Set<String>()
        if case .object(let paths)? = document["paths"] {
            for (path, item) in paths {
                if case .object(let methods) = item { for method in methods.keys { documented.insert("\(method) \(path)") } }
            }
        }
        XCTAssertEqual(documented, Set(ItemsApp.routes.routes.map { "\($0.method.rawValue.lowercased()) \($0.path)" }))
    }
}
