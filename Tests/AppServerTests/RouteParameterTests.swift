import AppServer
import XCTest

/// Path and query parameters are parsed and checked by their declared types before the
/// handler runs: bad input is a 400 that names the parameter.
final class RouteParameterTests: XCTestCase {
    func testValidParametersReachTheHandlerTyped() async {
        let item = await ItemsApp.send("GET", "/items/ana-1/42")
        XCTAssertEqual(item.status, 200, item.text)
        XCTAssertEqual(item.object["owner"] as? String, "ana-1")
        XCTAssertEqual(item.object["id"] as? String, "42")

        let found = await ItemsApp.send("GET", "/search?q=a%20b&offset=-5&other=x&other=y", headers: [("Authorization", "Name ana")])
        XCTAssertEqual(found.status, 200, found.text)
        XCTAssertEqual(found.object["q"] as? String, "a b")
        XCTAssertEqual(found.object["limit"] as? String, "10", "the declared default")
        XCTAssertEqual(found.object["offset"] as? String, "-5")
        XCTAssertEqual(found.object["by"] as? String, "ana")

        let noOffset = await ItemsApp.send("GET", "/search?q=abc&limit=50", headers: [("Authorization", "Name ana")])
        XCTAssertEqual(noOffset.object["offset"] as? String, "none")
        XCTAssertEqual(noOffset.object["limit"] as? String, "50")
    }

    func testBadPathParametersAre400NamingTheParameter() async {
        let cases: [(String, String)] = [
            ("/items/ana/abc", "id: must be an integer of at least 1."),
            ("/items/ana/0", "id: must be an integer of at least 1."),
            ("/items/ana/-1", "id: must be an integer of at least 1."),
            ("/items/ana/+1", "id: must be an integer of at least 1."),
            ("/items/ana/1.5", "id: must be an integer of at least 1."),
            ("/items/ana/99999999999999999999", "id: must be an integer of at least 1."),
            ("/items/ana/%31", "id: must be an integer of at least 1."),
            ("/items/ana/%ZZ", "id: must be an integer of at least 1."),
            ("/items/abcdefghi/1", "owner: must be 1 to 8 characters long."),
            ("/items/Ana/1", "owner: may contain only the characters [a-z0-9_-]."),
            ("/items/a%20b/1", "owner: may contain only the characters [a-z0-9_-]."),
            ("/items/%C3%28/1", "owner: not valid percent-encoded UTF-8."),
            ("/items/%C3%BC/1", "owner: may contain only the characters [a-z0-9_-]."),
        ]
        for (target, message) in cases {
            let reply = await ItemsApp.send("GET", target)
            XCTAssertEqual(reply.status, 400, target)
            XCTAssertEqual(reply.errorCode, "invalid_request", target)
            XCTAssertEqual(reply.message, message, target)
        }
        // An integer has one spelling: `%31` is refused above, `1` is the item.
        let reply1 = await ItemsApp.send("GET", "/items/ana/1")
        XCTAssertEqual(reply1.status, 200)
    }

    func testBadQueryParametersAre400NamingTheParameter() async {
        let name = [("Authorization", "Name ana")]
        let cases: [(String, String)] = [
            ("/search", "q: required."),
            ("/search?limit=5", "q: required."),
            ("/search?q=a", "q: must be 2 to 5 characters long."),
            ("/search?q=abcdef", "q: must be 2 to 5 characters long."),
            ("/search?q=ab&q=cd", "q: given more than once."),
            ("/search?q=ab&limit=0", "limit: must be an integer from 1 to 50."),
            ("/search?q=ab&limit=51", "limit: must be an integer from 1 to 50."),
            ("/search?q=ab&limit=", "limit: must be an integer from 1 to 50."),
            ("/search?q=ab&limit=1e1", "limit: must be an integer from 1 to 50."),
            ("/search?q=ab&offset=--1", "offset: must be an integer from -5 to 5."),
            ("/search?q=ab&offset=6", "offset: must be an integer from -5 to 5."),
            ("/search?q=%ZZ", "query: not a valid URL query string."),
        ]
        for (target, message) in cases {
            let reply = await ItemsApp.send("GET", target, headers: name)
            XCTAssertEqual(reply.status, 400, target)
            XCTAssertEqual(reply.message, message, target)
        }
        // Code points, not bytes: five of them in ten bytes fit.
        let umlauts = await ItemsApp.send("GET", "/search?q=%C3%BC%C3%BC%C3%BC%C3%BC%C3%BC", headers: name)
        XCTAssertEqual(umlauts.status, 200, umlauts.text)
    }

    /// Credentials first: a caller without them learns nothing about the parameters.
    func testAuthenticationComesBeforeParameterChecks() async {
        let anonymous = await ItemsApp.send("GET", "/search?q=a")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.errorCode, "unauthorized")
        XCTAssertNotNil(anonymous.header("WWW-Authenticate"))
        let refused = await ItemsApp.send("DELETE", "/items/bob/1", headers: [("Authorization", "Name ana")])
        XCTAssertEqual(refused.status, 403)
        let own = await ItemsApp.send("DELETE", "/items/ana/1", headers: [("Authorization", "Name ana")])
        XCTAssertEqual(own.status, 204)
    }

    func testParameterTypesAcceptExactlyTheirValues() {
        let characters = ASCIICharacters(ranges: ["A"..."Z", "a"..."z", "0"..."9"], singles: "_.-")
        XCTAssertEqual(characters.patternClass, "A-Za-z0-9_.-")
        XCTAssertTrue(characters.contains(allOf: "Ana_b.c-9"))
        for text in ["a b", "ü", "a/b", "a\u{0}", "[", "^"] { XCTAssertFalse(characters.contains(allOf: text), text) }
        XCTAssertEqual(ASCIICharacters(singles: "-]^\\a").patternClass, #"\]\^\\a-"#)
        XCTAssertFalse(ASCIICharacters(singles: "a").contains(0xE1))
    }
}
