import Foundation
import XCTest

/// Malformed bodies, parameters, paths and tokens through the real edge: each must be refused
/// with a 4xx naming the client's mistake, never a 5xx, and no process may fall over.
extension HostileInputTests {
    struct APICase: Sendable {
        var name: String
        var method: String
        var target: String
        var contentType: String?
        var body: [UInt8]?
        /// Lenient but harmless readings (a BOM, duplicate keys, UTF-16) may succeed; they must still not be 5xx.
        var successAllowed = false
    }

    /// JSON texts put in the place of one field's value.
    static let hostileValues: [(name: String, json: [UInt8])] = {
        let text: [(String, String)] = [
            ("1e400", "1e400"), ("-1e400", "-1e400"), ("2^64", "18446744073709551616"), ("-0", "-0"),
            ("30 digits", "123456789012345678901234567890"), ("1.8e309", "1.7976931348623157e309"), ("4.9e-400", "4.9e-400"),
            ("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("01", "01"), ("+1", "+1"), (".5", ".5"), ("1.", "1."),
            ("0x10", "0x10"), ("true", "true"), ("[]", "[]"), ("{}", "{}"), ("[\"a\"]", "[\"a\"]"), ("escaped NUL", "\"\\u0000\""),
            ("NUL inside", "\"ab\\u0000cd\""), ("bad escape", "\"\\x41\""), ("short \\u escape", "\"\\u12\""),
            ("unterminated string", "\"abc"), ("single quotes", "'abc'"), ("bare word", "undefined"),
            ("raw control character", "\"a\u{1}b\""), ("raw newline", "\"a\nb\""), ("empty string", "\"\""),
            ("300 characters", "\"" + String(repeating: "a", count: 300) + "\""),
            ("lone high surrogate", "\"\\ud800\""), ("reversed surrogates", "\"\\udc00\\ud800\""),
            ("unclosed array", String(repeating: "[", count: 100_000)),
            ("100 000 nested arrays", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)),
            ("50 000 nested objects", String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)),
        ]
        let bytes: [(String, [UInt8])] = [
            ("invalid UTF-8 C3 28", [0x22, 0x61, 0xC3, 0x28, 0x62, 0x22]),
            ("invalid UTF-8 FF FE", [0x22, 0x61, 0xFF, 0xFE, 0x62, 0x22]),
            ("overlong UTF-8", [0x22, 0x61, 0xC0, 0xAF, 0x62, 0x22]),
            ("UTF-8 encoded surrogate", [0x22, 0x61, 0xED, 0xA0, 0x80, 0x62, 0x22]),
            ("UTF-8 beyond U+10FFFF", [0x22, 0x61, 0xF4, 0x90, 0x80, 0x80, 0x62, 0x22]),
            ("truncated UTF-8", [0x22, 0x61, 0xE2, 0x82, 0x22]),
        ]
        return text.map { ($0.0, Array($0.1.utf8)) } + bytes
    }()

    /// Every write endpoint with a valid body template; each field is replaced in turn.
    static func bodyCases(micropostID: Int) -> [APICase] {
        struct Endpoint {
            var method: String
            var target: String
            var fields: [(name: String, valid: String, required: Bool)]
        }
        let micropost = "/api/users/alice/collection/\(micropostID)"
        let endpoints = [
            Endpoint(
                method: "POST", target: "/api/users", fields: [("username", "\"newcomer\"", true), ("password", "\"password123\"", true)]),
            Endpoint(
                method: "POST", target: "/api/token",
                fields: [
                    ("grant_type", "\"client_credentials\"", true), ("client_id", "\"alice\"", true),
                    ("client_secret", "\"password123\"", true),
                ]),
            Endpoint(
                method: "POST", target: "/api/users/alice/collection",
                fields: [("text", "\"hello\"", true), ("referenced", "\"bob\"", false)]),
            Endpoint(method: "PUT", target: micropost, fields: [("text", "\"replaced\"", true), ("referenced", "\"bob\"", false)]),
            Endpoint(method: "PATCH", target: micropost, fields: [("text", "\"patched\"", true), ("referenced", "\"bob\"", false)]),
            Endpoint(method: "POST", target: "/api/users/alice/following", fields: [("username", "\"bob\"", true)]),
        ]
        var cases: [APICase] = []
        for endpoint in endpoints {
            func body(replacing field: String?, with value: [UInt8]) -> [UInt8] {
                var bytes = Array("{".utf8)
                for (index, candidate) in endpoint.fields.enumerated() {
                    if index > 0 { bytes += Array(",".utf8) }
                    bytes += Array("\"\(candidate.name)\":".utf8)
                    bytes += candidate.name == field ? value : Array(candidate.valid.utf8)
                }
                return bytes + Array("}".utf8)
            }
            let label = "\(endpoint.method) \(endpoint.target)"
            for field in endpoint.fields {
                var values = hostileValues
                // PATCH may clear `referenced` with null; `text` must never be null.
                if field.required || (endpoint.method == "PATCH" && field.name == "text") { values.append(("null", Array("null".utf8))) }
                for value in values {
                    cases.append(
                        APICase(
                            name: "\(label) \(field.name)=\(value.name)", method: endpoint.method, target: endpoint.target,
                            contentType: "application/json", body: body(replacing: field.name, with: value.json)))
                }
            }
            let valid = body(replacing: nil, with: [])
            let wholeBodies: [(String, [UInt8], Bool)] = [
                ("empty body", [], false), ("{", Array("{".utf8), false), ("}", Array("}".utf8), false), ("array", Array("[]".utf8), false),
                ("string", Array("\"x\"".utf8), false), ("null", Array("null".utf8), false), ("number", Array("42".utf8), false),
                ("trailing comma", Array(valid.dropLast()) + Array(",}".utf8), false), ("single-quoted keys", Array("{'a':1}".utf8), false),
                ("comment", Array("/* c */".utf8) + valid, false), ("trailing garbage", valid + Array(" x".utf8), false),
                ("trailing NUL", valid + [0], false), ("100 000 [", Array(String(repeating: "[", count: 100_000).utf8), false),
                ("100 000 {\"a\":", Array(String(repeating: "{\"a\":", count: 100_000).utf8), false),
                ("random bytes", (0..<256).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 13) }, false),
                ("invalid UTF-8 key", Array("{\"".utf8) + [0xFF] + Array("\":1}".utf8), false),
                ("BOM then JSON", [0xEF, 0xBB, 0xBF] + valid, true),
                ("UTF-16LE", Array(String(decoding: valid, as: UTF8.self).utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, true),
                ("duplicate keys", Array(valid.dropLast()) + Array(",".utf8) + Array(valid.dropFirst()), true),
            ]
            for (name, bytes, successAllowed) in wholeBodies {
                cases.append(
                    APICase(
                        name: "\(label) body: \(name)", method: endpoint.method, target: endpoint.target, contentType: "application/json",
                        body: bytes,
                        successAllowed: successAllowed))
            }
            let json = endpoint.target == "/api/token" ? [] : ["application/x-www-form-urlencoded"]
            for contentType in [
                nil, "text/plain", "application/json; charset=latin1", "multipart/form-data; boundary=x", "application/json\u{7F}",
            ] + json {
                cases.append(
                    APICase(
                        name: "\(label) Content-Type: \(contentType ?? "none")", method: endpoint.method, target: endpoint.target,
                        contentType: contentType, body: valid))
            }
        }
        // The token endpoint also takes forms.
        let forms: [(String, [UInt8])] = [
            ("%ZZ", Array("grant_type=client_credentials&client_id=%ZZ&client_secret=password123".utf8)),
            ("lone %", Array("grant_type=client_credentials&client_id=alice%&client_secret=password123".utf8)),
            ("%C3%28", Array("grant_type=client_credentials&client_id=%C3%28&client_secret=password123".utf8)),
            ("%00 in client_id", Array("grant_type=client_credentials&client_id=%00&client_secret=password123".utf8)),
            ("%00 in secret", Array("grant_type=client_credentials&client_id=alice&client_secret=%00".utf8)),
            ("%FF in secret", Array("grant_type=client_credentials&client_id=alice&client_secret=%FF".utf8)),
            ("raw FF FE", Array("grant_type=client_credentials&client_id=".utf8) + [0xFF, 0xFE] + Array("&client_secret=x".utf8)),
            ("repeated client_id", Array("grant_type=client_credentials&client_id=alice&client_id=alice&client_secret=password123".utf8)),
            ("only separators", Array("=&=&=&&&".utf8)), ("no value", Array("grant_type".utf8)),
            ("other grant", Array("grant_type=password&client_id=alice&client_secret=password123".utf8)),
            ("%u escape", Array("grant_type=client_credentials&client_id=%u0061lice&client_secret=password123".utf8)),
            ("secret missing", Array("grant_type=client_credentials&client_id=alice".utf8)),
            (
                "20 000-character client_id",
                Array(("grant_type=client_credentials&client_secret=password123&client_id=" + String(repeating: "a", count: 20_000)).utf8)
            ),
            ("empty", []),
        ]
        for (name, body) in forms {
            cases.append(
                APICase(
                    name: "POST /api/token form: \(name)", method: "POST", target: "/api/token",
                    contentType: "application/x-www-form-urlencoded", body: body))
        }
        return cases
    }

    /// Bad `page`, `size`, `text` and `username` on every list, and bad percent-encoding in paths.
    static func queryAndPathCases() -> [APICase] {
        var cases: [APICase] = []
        let lists = [
            "/api/users/alice/collection", "/api/users/alice/timeline", "/api/users/alice/following", "/api/users/alice/followers",
            "/api/search?text=fuzz",
        ]
        let numbers = [
            "0", "-1", "1e400", "18446744073709551616", "99999999999999999999999999999", "1.5", "+1", "%201", "%00", "%ZZ", "%", "0x10", "",
            "%EF%BC%91", "%C3%28", "abc", String(repeating: "1", count: 5000), "NaN", "1%00", "%2B1", "١",
        ]
        for list in lists {
            let separator = list.contains("?") ? "&" : "?"
            for name in ["page", "size"] {
                for value in numbers + ["1&\(name)=2", name == "page" ? "1000001" : "101"] {
                    cases.append(
                        APICase(
                            name: "GET \(list) \(name)=\(value.prefix(40))", method: "GET", target: "\(list)\(separator)\(name)=\(value)"))
                }
            }
            cases.append(APICase(name: "GET \(list) bad query", method: "GET", target: "\(list)\(separator)%=1"))
        }
        for text in [
            "ab", String(repeating: "a", count: 256), "%00abc", "ab%00", "%ZZ", "%C3%28", "%FF%FEabc", "", "%", "a%2", "+", "%20%20",
            "abc&text=abd",
        ] {
            cases.append(APICase(name: "GET /api/search text=\(text.prefix(40))", method: "GET", target: "/api/search?text=\(text)"))
        }
        cases.append(APICase(name: "GET /api/search without text", method: "GET", target: "/api/search?username=alice"))
        for username in ["%00", "%ZZ", "", String(repeating: "a", count: 51), "%C3%28", "%", "a&username=b"] {
            cases.append(
                APICase(
                    name: "GET /api/search username=\(username.prefix(40))", method: "GET",
                    target: "/api/search?text=fuzz&username=\(username)"))
        }
        let paths: [(String, String)] = [
            ("GET", "/api/users/%ZZ"), ("GET", "/api/users/%"), ("GET", "/api/users/%C3%28"), ("GET", "/api/users/%00"),
            ("GET", "/api/users/%FF"),
            ("GET", "/api/users/alice%2F..%2F..%2Fetc"), ("GET", "/api/users/a%2"), ("GET", "/api/users/%E2%80%AE"),
            ("GET", "/api/users/alice%00/collection"),
            ("GET", "/api/users/alice/collection/%31"), ("GET", "/api/users/alice/collection/%ZZ"),
            ("GET", "/api/users/alice/collection/-1"),
            ("GET", "/api/users/alice/collection/0"), ("GET", "/api/users/alice/collection/99999999999999999999"),
            ("GET", "/api/users/alice/collection/1e3"),
            ("DELETE", "/api/users/alice/collection/%00"), ("PUT", "/api/users/alice/collection/%"),
            ("DELETE", "/api/users/alice/following/%00"),
            ("DELETE", "/api/users/alice/following/%ZZ"), ("GET", "/api/%2e%2e/%2e%2e/etc/passwd"), ("GET", "/api/%"),
            ("GET", "/api/users/%25%"),
            ("GET", "/static/%ZZ"), ("GET", "/static/%00"), ("GET", "/static/%C3%28"), ("GET", "/static/%2e%2e/%2e%2e/etc/passwd"),
            ("GET", "/%"),
            ("GET", "/static/.%2e/x"), ("GET", "/api/search%3Ftext=fuzz"), ("GET", "/api/users/alice/timeline/%"),
        ]
        for (method, path) in paths {
            cases.append(APICase(name: "\(method) \(path)", method: method, target: path))
        }
        return cases
    }

    func testMalformedBodiesParametersAndPathsAreClientErrors() async throws {
        let stack = try await startStack()
        let port = stack.edgePort
        try await stack.register("alice", port: port)
        try await stack.register("bob", port: port)
        let token = try await stack.login("alice", port: port)
        let created = try await HostileHTTP.request(
            port: port, "POST", "/api/users/alice/collection", json: #"{"text":"the one to mutate"}"#, token: token)
        XCTAssertEqual(created.status, 201, created.text)
        let id = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any])?["id"] as? Int)

        let bodyCases = Self.bodyCases(micropostID: id)
        let queryCases = Self.queryAndPathCases()
        let cases = bodyCases + queryCases
        let started = ContinuousClock.now
        let replies = try await hostileConcurrentMap(cases, width: 8) { apiCase in
            let reply = try await HostileHTTP.request(
                port: port, apiCase.method, apiCase.target, token: token,
                headers: apiCase.contentType.map { [("Content-Type", $0)] } ?? [], body: apiCase.body)
            return (apiCase, reply.status, reply.text)
        }
        // Raw bytes that are not UTF-8 in the request target.
        var raw: [(String, Int)] = []
        for (name, target) in [
            ("raw FF FE in a query", Array("/api/search?text=".utf8) + [0xFF, 0xFE] + Array("abc".utf8)),
            ("raw C3 28 in a path", Array("/api/users/".utf8) + [0xC3, 0x28]),
            ("raw NUL in a path", Array("/api/users/al".utf8) + [0] + Array("ice".utf8)),
        ] {
            let request =
                Array("GET ".utf8) + target
                + Array(" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n".utf8)
            let outcome = try await HostileHTTP.exchange(port: port, bytes: request, finishSending: false, timeout: .seconds(10))
            let statuses = HostileHTTP.parse(outcome.bytes).replies.map(\.status)
            XCTAssertTrue(outcome.closed, name)
            XCTAssertTrue(statuses.allSatisfy { (400..<500).contains($0) }, "\(name): \(statuses)")
            raw.append((name, statuses.first ?? 0))
        }
        let elapsed = ContinuousClock.now - started

        var histogram: [Int: Int] = [:]
        for (_, status, _) in replies { histogram[status, default: 0] += 1 }
        let lenient = replies.filter { $0.0.successAllowed }.map { "\($0.0.name) → \($0.1)" }
        print(
            "[hostile] malformed input: \(bodyCases.count) body cases, \(queryCases.count) query/path cases, \(raw.count) raw-byte targets in \(elapsed); "
                + "statuses: \(histogram.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")); lenient readings: \(lenient)"
        )
        for (apiCase, status, text) in replies {
            if apiCase.successAllowed {
                XCTAssertLessThan(status, 500, "\(apiCase.name): \(status) \(text.prefix(300))")
            } else {
                XCTAssertTrue((400..<500).contains(status), "\(apiCase.name): \(status) \(text.prefix(300))")
            }
        }
        stack.assertAllAlive("after malformed input")
        try await stack.assertServesNormally(port: port, token: token, user: "alice", "after malformed input")
    }

    // MARK: - 6. Tokens

    func testForgedExpiredRevokedAndGarbageTokensAre401ThroughTheEdge() async throws {
        let stack = try await startStack()
        let port = stack.edgePort
        try await stack.register("alice", port: port)
        let token = try await stack.login("alice", port: port)

        // The hand-rolled HS256 must reproduce the worker's own signature, or the forgeries below prove nothing.
        let parts = token.split(separator: ".").map(String.init)
        XCTAssertEqual(parts.count, 3)
        let resigned = ForgedTokens.base64URL(
            ForgedTokens.hmacSHA256(key: Array(HostileStack.secret.utf8), message: Array("\(parts[0]).\(parts[1])".utf8)))
        XCTAssertEqual(resigned, parts[2], "test HMAC-SHA256 disagrees with the worker's")
        let genuine = ForgedTokens.hs256(claims: ForgedTokens.claims(sub: "alice"), secret: HostileStack.secret)
        let control = try await HostileHTTP.request(port: port, "GET", "/api/users/alice", token: genuine)
        XCTAssertEqual(control.status, 200, "a correctly signed token must work: \(control.text)")

        let now = Int64(Date().timeIntervalSince1970)
        let secret = HostileStack.secret
        let claims = ForgedTokens.claims(sub: "alice")
        let b64 = ForgedTokens.base64URL as (String) -> String
        var cases: [(String, [String])] = [
            ("no Authorization", []),
            ("Bearer without token", ["Bearer"]),
            ("Bearer and spaces", ["Bearer    "]),
            ("Basic credentials", ["Basic YWxpY2U6cGFzc3dvcmQxMjM="]),
            ("token without scheme", [token]),
            ("garbage", ["Bearer garbage"]),
            ("three empty parts", ["Bearer .."]),
            ("dots only", ["Bearer ....."]),
            ("non-ASCII", ["Bearer ü.ü.ü"]),
            ("four parts", ["Bearer \(token).\(parts[2])"]),
            ("alg none, no signature", ["Bearer \(b64(#"{"alg":"none","typ":"JWT"}"#)).\(b64(claims))."]),
            ("alg none, real signature", ["Bearer \(b64(#"{"alg":"none","typ":"JWT"}"#)).\(parts[1]).\(parts[2])"]),
            ("alg None", ["Bearer " + ForgedTokens.hs256(header: #"{"alg":"None"}"#, claims: claims, secret: secret)]),
            ("alg hs256", ["Bearer " + ForgedTokens.hs256(header: #"{"alg":"hs256"}"#, claims: claims, secret: secret)]),
            ("alg RS256", ["Bearer " + ForgedTokens.hs256(header: #"{"alg":"RS256"}"#, claims: claims, secret: secret)]),
            ("no alg", ["Bearer " + ForgedTokens.hs256(header: #"{"typ":"JWT"}"#, claims: claims, secret: secret)]),
            ("crit header", ["Bearer " + ForgedTokens.hs256(header: #"{"alg":"HS256","crit":["exp"]}"#, claims: claims, secret: secret)]),
            ("typ JWS", ["Bearer " + ForgedTokens.hs256(header: #"{"alg":"HS256","typ":"JWS"}"#, claims: claims, secret: secret)]),
            ("empty signature", ["Bearer \(parts[0]).\(parts[1])."]),
            ("truncated signature", ["Bearer \(parts[0]).\(parts[1]).\(parts[2].dropLast(2))"]),
            ("wrong key", ["Bearer " + ForgedTokens.hs256(claims: claims, secret: "another-secret-of-at-least-32-bytes!!")]),
            ("empty key", ["Bearer " + ForgedTokens.hs256(claims: claims, secret: "")]),
            ("other claims, real signature", ["Bearer \(parts[0]).\(b64(ForgedTokens.claims(sub: "bob"))).\(parts[2])"]),
            (
                "expired",
                [
                    "Bearer "
                        + ForgedTokens.hs256(
                            claims: ForgedTokens.claims(sub: "alice", issuedAt: now - 7200, lifetime: 3600), secret: secret)
                ]
            ),
            (
                "expired a minute ago",
                [
                    "Bearer "
                        + ForgedTokens.hs256(
                            claims: ForgedTokens.claims(sub: "alice", issuedAt: now - 3660, lifetime: 3600), secret: secret)
                ]
            ),
            (
                "issued in the future",
                ["Bearer " + ForgedTokens.hs256(claims: ForgedTokens.claims(sub: "alice", issuedAt: now + 3600), secret: secret)]
            ),
            ("invalid sub", ["Bearer " + ForgedTokens.hs256(claims: ForgedTokens.claims(sub: "../etc"), secret: secret)]),
            ("empty sub", ["Bearer " + ForgedTokens.hs256(claims: ForgedTokens.claims(sub: ""), secret: secret)]),
            ("empty jti", ["Bearer " + ForgedTokens.hs256(claims: ForgedTokens.claims(sub: "alice", jti: ""), secret: secret)]),
            (
                "300-character jti",
                [
                    "Bearer "
                        + ForgedTokens.hs256(
                            claims: ForgedTokens.claims(sub: "alice", jti: String(repeating: "j", count: 300)), secret: secret)
                ]
            ),
            ("no exp", ["Bearer " + ForgedTokens.hs256(claims: #"{"iat":\#(now),"jti":"x","sub":"alice"}"#, secret: secret)]),
            (
                "exp as a string",
                ["Bearer " + ForgedTokens.hs256(claims: #"{"exp":"\#(now + 60)","iat":\#(now),"jti":"x","sub":"alice"}"#, secret: secret)]
            ),
            (
                "exp 1e400",
                ["Bearer " + ForgedTokens.hs256(claims: #"{"exp":1e400,"iat":\#(now),"jti":"x","sub":"alice"}"#, secret: secret)]
            ),
            (
                "exp 1e300",
                ["Bearer " + ForgedTokens.hs256(claims: #"{"exp":1e300,"iat":\#(now),"jti":"x","sub":"alice"}"#, secret: secret)]
            ),
            (
                "exp 2^64",
                [
                    "Bearer "
                        + ForgedTokens.hs256(claims: #"{"exp":18446744073709551616,"iat":\#(now),"jti":"x","sub":"alice"}"#, secret: secret)
                ]
            ),
            ("claims not an object", ["Bearer " + ForgedTokens.hs256(claims: "[1,2,3]", secret: secret)]),
            ("claims 5 000 unclosed arrays", ["Bearer " + ForgedTokens.hs256(claims: String(repeating: "[", count: 5000), secret: secret)]),
            ("padding", ["Bearer \(parts[0])==.\(parts[1]).\(parts[2])"]),
            ("standard alphabet", ["Bearer \(parts[0].replacingOccurrences(of: "-", with: "+")).\(parts[1]).\(parts[2])+/"]),
            ("10 000-character token", ["Bearer " + String(repeating: "A", count: 10_000)]),
            (
                "10 000-character signed token",
                [
                    "Bearer "
                        + ForgedTokens.hs256(
                            claims: ForgedTokens.claims(sub: "alice", jti: String(repeating: "j", count: 7000)), secret: secret)
                ]
            ),
            ("two Authorization headers", ["Bearer \(token)", "Bearer garbage"]),
        ]
        // Revoked: log out, then try the token again, on the edge and on the worker directly.
        let revokedToken = try await stack.login("alice", port: port)
        let logout = try await HostileHTTP.request(port: port, "DELETE", "/api/token", token: revokedToken)
        XCTAssertEqual(logout.status, 204, logout.text)
        cases.append(("revoked", ["Bearer \(revokedToken)"]))

        var results: [(String, String, Int)] = []
        for (name, values) in cases {
            for (method, target, body) in [
                ("GET", "/api/users/alice", nil), ("POST", "/api/users/alice/collection", #"{"text":"forged"}"#),
                ("DELETE", "/api/token", nil),
            ] {
                let reply = try await HostileHTTP.request(
                    port: port, method, target, json: body, headers: values.map { ("Authorization", $0) })
                results.append((name, "\(method) \(target)", reply.status))
                XCTAssertEqual(reply.status, 401, "\(name) on \(method) \(target): \(reply.text)")
                if reply.status == 401 {
                    XCTAssertNotNil(reply.header("WWW-Authenticate"), "\(name): 401 without WWW-Authenticate")
                }
            }
        }
        let direct = try await HostileHTTP.request(port: stack.workerHTTPPorts[0], "GET", "/api/users/alice", token: revokedToken)
        XCTAssertEqual(direct.status, 401, "revoked token on the worker's own listener: \(direct.text)")
        // Larger than the edge's head limit: refused before any worker sees it.
        let oversize = try await HostileHTTP.request(port: port, "GET", "/api/users/alice", token: String(repeating: "A", count: 20_000))
        XCTAssertEqual(oversize.status, 431, oversize.text)
        print(
            "[hostile] tokens: \(cases.count) bad tokens × 3 endpoints = \(results.count) requests, statuses \(Set(results.map(\.2)).sorted()); 20 000-character token → \(oversize.status)"
        )

        let still = try await HostileHTTP.request(port: port, "GET", "/api/users/alice", token: token)
        XCTAssertEqual(still.status, 200, "the genuine token still works: \(still.text)")
        stack.assertAllAlive("after bad tokens")
    }
}
