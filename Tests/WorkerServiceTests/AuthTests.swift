import AppServer
import Foundation
import MicropostsInMemoryData
import RPC
import ServiceKit
import XCTest

@testable import WorkerService

/// Bearer tokens: missing, malformed, `alg: none`, wrong key, expired, revoked; the JWT code itself.
final class AuthTests: XCTestCase {
    var harness: WorkerHarness!

    override func setUp() async throws { harness = try await WorkerHarness() }
    override func tearDown() async throws { harness.shutdown() }

    private func assertRefused(_ token: String?, code: String, file: StaticString = #filePath, line: UInt = #line) async {
        let response = await harness.send("GET", "/api/users/ana", token: token)
        XCTAssertEqual(response.status, 401, response.text, file: file, line: line)
        XCTAssertEqual(response.errorCode, code, file: file, line: line)
        XCTAssertTrue(response.header("WWW-Authenticate")?.hasPrefix("Bearer") ?? false, file: file, line: line)
    }

    func testMissingAndMalformedTokens() async throws {
        await harness.register("ana")
        await assertRefused(nil, code: "unauthorized")
        let basic = await harness.send("GET", "/api/users/ana", headers: [("Authorization", "Basic YW5hOnB3")])
        XCTAssertEqual(basic.status, 401)
        for garbage in ["abc", "a.b", "a.b.c.d", "...", "eyJ.eyJ.sig"] {
            await assertRefused(garbage, code: "invalid_token")
        }
    }

    func testAlgorithmNoneWrongKeyAndTamperedClaimsAreRefused() async throws {
        await harness.register("ana")
        let valid = try await harness.login("ana")
        let parts = valid.split(separator: ".").map(String.init)
        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        await assertRefused("\(none).\(parts[1]).", code: "invalid_token")
        await assertRefused("\(none).\(parts[1]).\(parts[2])", code: "invalid_token")
        let hs512 = Base64URL.encode(Array(#"{"alg":"HS512","typ":"JWT"}"#.utf8))
        await assertRefused("\(hs512).\(parts[1]).\(parts[2])", code: "invalid_token")

        let claims = JWTClaims(
            sub: "ana", jti: "x1", iat: Int64(Date().timeIntervalSince1970), exp: Int64(Date().timeIntervalSince1970) + 600)
        let otherKey = HS256Token(secret: Array("another-secret-that-is-32-bytes-long!!".utf8)).sign(claims)
        await assertRefused(otherKey, code: "invalid_token")

        let forged = Base64URL.encode(Array(#"{"exp":9999999999,"iat":1,"jti":"x2","sub":"bob"}"#.utf8))
        await assertRefused("\(parts[0]).\(forged).\(parts[2])", code: "invalid_token")
    }

    func testExpiredTokenIsRefused() async throws {
        await harness.register("ana")
        let tokens = HS256Token(secret: Array(WorkerHarness.secret.utf8))
        let now = Int64(Date().timeIntervalSince1970)
        await assertRefused(tokens.sign(JWTClaims(sub: "ana", jti: "old", iat: now - 100, exp: now - 10)), code: "invalid_token")
        let fresh = await harness.send(
            "GET", "/api/users/ana", token: tokens.sign(JWTClaims(sub: "ana", jti: "new", iat: now, exp: now + 60)))
        XCTAssertEqual(fresh.status, 200)
    }

    func testRevocationChecksAreCachedBrieflyAndFailClosed() async throws {
        let token = try await harness.user("ana")
        _ = await harness.send("GET", "/api/users/ana", token: token)
        _ = await harness.send("GET", "/api/users/ana", token: token)
        XCTAssertEqual(harness.fake.calls(to: "tokens.checkRevoked"), 1, "second request within a second uses the cache")
        try await Task.sleep(for: .milliseconds(1100))
        harness.fake.fail("tokens.checkRevoked", with: .unavailable("database down"))
        let down = await harness.send("GET", "/api/users/ana", token: token)
        XCTAssertEqual(down.status, 503)
        XCTAssertEqual(down.header("Retry-After"), "1")
    }

    func testRevocationByAnotherWorkerIsSeenWithinOneSecond() async throws {
        let token = try await harness.user("ana")
        assertStatus(200, await harness.send("GET", "/api/users/ana", token: token))
        // Another worker's logout lands in the data service only.
        let jti = try XCTUnwrap(HS256Token(secret: Array(WorkerHarness.secret.utf8)).verify(token).jti)
        harness.fake.data.revoke(tokenID: jti, until: Date().addingTimeInterval(3600))
        try await Task.sleep(for: .milliseconds(1050))
        let response = await harness.send("GET", "/api/users/ana", token: token)
        XCTAssertEqual(response.status, 401)
    }

    /// A token is accepted until `exp` plus the clock leeway; a logout must hold that long on
    /// every worker, not end at `exp` (the data service forgets a revocation at the instant the
    /// worker gives it, as the fake does).
    func testLogoutHoldsUntilTheLastMomentAnyWorkerAcceptsTheToken() async throws {
        let token = try await harness.user("ana")
        let spare = try await harness.login("ana")
        let claims = try HS256Token(secret: Array(WorkerHarness.secret.utf8)).verify(token, now: harness.clock.now())
        let acceptedUntil = Date(timeIntervalSince1970: TimeInterval(claims.exp + HS256Token.leeway))
        assertStatus(204, await harness.send("DELETE", "/api/token", token: token))
        XCTAssertEqual(harness.fake.data.revocationEnd(ofTokenID: claims.jti), acceptedUntil)

        // Within the leeway after expiry: tokens are still accepted, so the logout must still hold.
        harness.clock.set(to: Date(timeIntervalSince1970: TimeInterval(claims.exp + HS256Token.leeway - 1)))
        let other = harness.anotherWorker()
        assertStatus(200, await harness.send("GET", "/api/users/ana", token: spare, via: other))
        let elsewhere = await harness.send("GET", "/api/users/ana", token: token, via: other)
        XCTAssertEqual(elsewhere.status, 401, elsewhere.text)
        XCTAssertEqual(elsewhere.object["message"] as? String, "The access token has been revoked.")
        let here = await harness.send("GET", "/api/users/ana", token: token)
        XCTAssertEqual(here.status, 401, here.text)
        XCTAssertEqual(here.object["message"] as? String, "The access token has been revoked.")

        // From there on no worker accepts the token at all.
        harness.clock.set(to: acceptedUntil)
        for worker in [other, harness.envelopes] {
            let expired = await harness.send("GET", "/api/users/ana", token: spare, via: worker)
            XCTAssertEqual(expired.status, 401)
            XCTAssertEqual(expired.object["message"] as? String, "The access token has expired.")
        }
    }

    func testRevocationCacheKeepsARevocationUntilItsWallClockEnd() {
        let cache = RevocationCache()
        let until = Date(timeIntervalSince1970: 2_000_000_000)
        cache.recordRevoked("t", until: until)
        XCTAssertEqual(cache.isRevoked("t", wallClock: until.addingTimeInterval(-0.5)), true)
        XCTAssertNil(cache.isRevoked("t", wallClock: until))
        // An older "not revoked" answer never replaces a revocation.
        cache.recordRevoked("u", until: until)
        cache.recordNotRevoked("u", askedAt: .now)
        XCTAssertEqual(cache.isRevoked("u", wallClock: until.addingTimeInterval(-1)), true)
    }

    func testHS256RoundTripAndStrictParsing() throws {
        let tokens = HS256Token(secret: Array(WorkerHarness.secret.utf8))
        let claims = JWTClaims(sub: "ana", jti: "id-1", iat: 1_700_000_000, exp: 1_700_000_600)
        let token = tokens.sign(claims)
        XCTAssertEqual(try tokens.verify(token, now: Date(timeIntervalSince1970: 1_700_000_100)), claims)
        XCTAssertThrowsError(try tokens.verify(token, now: Date(timeIntervalSince1970: 1_700_000_700))) {
            XCTAssertEqual($0 as? HS256Token.VerificationError, .expired)
        }
        XCTAssertThrowsError(try tokens.verify(token + "=", now: Date(timeIntervalSince1970: 1_700_000_100)))
        let noJTI = Base64URL.encode(Array(#"{"sub":"ana","iat":1700000000,"exp":1700000600}"#.utf8))
        let header = token.split(separator: ".")[0]
        let unsigned = "\(header).\(noJTI)"
        let signature = tokens.sign(claims).split(separator: ".")[2]
        XCTAssertThrowsError(try tokens.verify("\(unsigned).\(signature)", now: Date(timeIntervalSince1970: 1_700_000_100)))
        XCTAssertEqual(Base64URL.decode("AQID"), [1, 2, 3])
        XCTAssertNil(Base64URL.decode("AQ+D"))
        XCTAssertNil(Base64URL.decode("AQI="))
    }

    func testSecretSettings() {
        var short = ConfigReader(arguments: ["--jwt-secret", "short"], environment: [:])
        _ = WorkerService.configure(&short)
        XCTAssertThrowsError(try short.finish())
        var unset = ConfigReader(arguments: [], environment: [:])
        XCTAssertTrue(WorkerService.configure(&unset).jwtSecret.isGenerated)
        XCTAssertNoThrow(try unset.finish())
    }

    /// One secret for the worker's RPC server and its data client, read once: the flag is
    /// claimed by the first read, so reading it per use would lose it for the second.
    func testRPCSecretAndLimitSettings() throws {
        let secret = "0123456789abcdef0123456789abcdef"
        for reader in [
            ConfigReader(arguments: ["--rpc-secret", secret], environment: [:]),
            ConfigReader(arguments: [], environment: ["RPC_SECRET": secret]),
        ] {
            var reader = reader
            let configuration = WorkerService.configure(&reader)
            XCTAssertNoThrow(try reader.finish())
            XCTAssertNotNil(configuration.rpcServer.secret)
            XCTAssertNotNil(configuration.dataClient.secret)
        }
        var unset = ConfigReader(arguments: [], environment: [:])
        let plain = WorkerService.configure(&unset)
        XCTAssertNil(plain.rpcServer.secret)
        XCTAssertNil(plain.dataClient.secret)
        XCTAssertEqual(plain.rpcServer.maximumConnections, 1024)
        XCTAssertEqual(plain.rpcServer.idleTimeout, .seconds(300))

        for bad in ["short-secret", "change-me-to-the-output-of-openssl-rand-hex-32"] {
            var reader = ConfigReader(arguments: [], environment: ["RPC_SECRET": bad])
            _ = WorkerService.configure(&reader)
            XCTAssertThrowsError(try reader.finish()) { error in
                XCTAssertTrue("\(error)".contains("RPC_SECRET"), "\(error)")
                XCTAssertFalse("\(error)".contains(bad), "the secret was echoed: \(error)")
            }
        }

        var limits = ConfigReader(
            arguments: [
                "--rpc-max-connections", "7", "--rpc-handshake-timeout", "3s", "--rpc-idle-timeout", "9223372036854775807ms",
                "--rpc-frame-timeout", "250ms",
            ], environment: [:])
        let limited = WorkerService.configure(&limits)
        XCTAssertNoThrow(try limits.finish())
        XCTAssertEqual(limited.rpcServer.maximumConnections, 7)
        XCTAssertEqual(limited.rpcServer.handshakeTimeout, .seconds(3))
        XCTAssertEqual(limited.rpcServer.idleTimeout, .milliseconds(Int64.max))
        XCTAssertEqual(limited.rpcServer.frameTimeout, .milliseconds(250))
        var zero = ConfigReader(arguments: ["--rpc-idle-timeout", "0s"], environment: [:])
        _ = WorkerService.configure(&zero)
        XCTAssertThrowsError(try zero.finish())
    }
}
