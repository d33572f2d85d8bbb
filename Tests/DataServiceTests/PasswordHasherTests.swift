import XCTest

@testable import DataService

final class PasswordHasherTests: XCTestCase {
    func testHashVerifiesOnlyItsPassword() async throws {
        let hasher = PasswordHasher(iterations: 1_000)
        let hash = try await hasher.hash("correct horse")
        let ok = try await hasher.verify("correct horse", against: hash)
        let wrong = try await hasher.verify("correct horsf", against: hash)
        XCTAssertTrue(ok)
        XCTAssertFalse(wrong)
    }

    func testHashIsSelfDescribingAndSalted() async throws {
        let hasher = PasswordHasher(iterations: 1_234)
        let first = try await hasher.hash("password")
        let second = try await hasher.hash("password")
        XCTAssertNotEqual(first, second)
        let parsed = try XCTUnwrap(PasswordHash(parsing: first))
        XCTAssertEqual(parsed.iterations, 1_234)
        XCTAssertEqual(parsed.salt.count, 16)
        XCTAssertEqual(parsed.derivedKey.count, 32)
        XCTAssertEqual(parsed.text, first)
        // Verification uses the stored count, not the hasher's current one.
        let verified = try await PasswordHasher(iterations: 5_000).verify("password", against: first)
        XCTAssertTrue(verified)
    }

    /// RFC 7914 section 11 test vector for PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1).
    func testKnownVector() async throws {
        let expected: [UInt8] = [
            0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2, 0x25, 0x44, 0xb6, 0x05,
            0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65, 0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc,
        ]
        let stored = PasswordHash(iterations: 1, salt: Array("salt".utf8), derivedKey: expected).text
        let verified = try await PasswordHasher(iterations: 1).verify("passwd", against: stored)
        XCTAssertTrue(verified)
    }

    func testMalformedStoredHashesNeverMatch() async throws {
        let hasher = PasswordHasher(iterations: 1_000)
        for stored in [
            "", "plain", "pbkdf2-sha256$0$AAAA$AAAA", "pbkdf2-sha256$10$$AAAA", "bcrypt$10$AAAA$AAAA", "pbkdf2-sha256$x$AAAA$AAAA",
        ] {
            let verified = try await hasher.verify("password", against: stored)
            XCTAssertFalse(verified, stored)
        }
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(PasswordHasher.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(PasswordHasher.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(PasswordHasher.constantTimeEquals([1, 2, 3], [1, 2]))
    }
}
