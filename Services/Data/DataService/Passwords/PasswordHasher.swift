import Crypto
import Foundation
import NIOPosix
import _CryptoExtras

/// Hashes and verifies passwords with PBKDF2-HMAC-SHA256 and a random 16-byte salt per password.
///
/// One hash costs tens to hundreds of milliseconds of CPU by design, so it runs on NIO's
/// blocking thread pool: on the cooperative pool or an event loop it would stall every other
/// call and query of this process. Every hash passes ``gate``, which bounds how many run and
/// wait at once.
struct PasswordHasher: Sendable {
    /// OWASP's Password Storage Cheat Sheet (2023) recommends 600,000 iterations for
    /// PBKDF2-HMAC-SHA256.
    static let defaultIterations = 600_000
    /// swift-crypto's checked API refuses fewer; only tests go below it, to stay fast.
    static let minimumIterations = 210_000

    static let saltByteCount = 16
    static let keyByteCount = 32

    let iterations: Int
    let gate: HashingGate
    private let threadPool: NIOThreadPool
    /// What an unknown user's login is checked against.
    private let dummyHash: String

    init(iterations: Int = defaultIterations, gate: HashingGate = HashingGate(), threadPool: NIOThreadPool = .singleton) {
        precondition(iterations > 0, "PBKDF2 needs at least one iteration")
        self.iterations = iterations
        self.gate = gate
        self.threadPool = threadPool
        dummyHash =
            PasswordHash(
                iterations: iterations, salt: [UInt8](repeating: 0, count: Self.saltByteCount),
                derivedKey: [UInt8](repeating: 0, count: Self.keyByteCount)
            ).text
    }

    /// A new hash of `password` in ``PasswordHash`` text form.
    func hash(_ password: String) async throws -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Self.saltByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let iterations = self.iterations
        let key = try await gate.run {
            try await threadPool.runIfActive { try Self.derive(password, salt: salt, iterations: iterations) }
        }
        return PasswordHash(iterations: iterations, salt: salt, derivedKey: key).text
    }

    /// Whether `password` produces `storedHash`. An unreadable stored hash never matches.
    func verify(_ password: String, against storedHash: String) async throws -> Bool {
        guard let stored = PasswordHash(parsing: storedHash) else { return false }
        let key = try await gate.run {
            try await threadPool.runIfActive {
                try Self.derive(password, salt: stored.salt, iterations: stored.iterations, byteCount: stored.derivedKey.count)
            }
        }
        return Self.constantTimeEquals(key, stored.derivedKey)
    }

    /// Spends the time of one verification without a stored hash — through the same gate, at
    /// the iteration count new hashes get, with a salt and key of the same sizes — so that a
    /// login for an unknown user takes as long as one with a wrong password and does not
    /// reveal which usernames exist.
    func simulateVerification(_ password: String) async throws {
        _ = try await verify(password, against: dummyHash)
    }

    private static func derive(_ password: String, salt: [UInt8], iterations: Int, byteCount: Int = keyByteCount) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256,
            outputByteCount: byteCount, unsafeUncheckedRounds: iterations
        )
        return key.withUnsafeBytes { Array($0) }
    }

    /// Compares every byte whatever the earlier ones were, so timing reveals nothing about
    /// how much of a guess was right.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
