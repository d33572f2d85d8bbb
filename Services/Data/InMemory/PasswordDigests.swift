import Crypto

/// Passwords kept as HMAC-SHA256 digests under a key that lives only in this process: no
/// plain password is stored, and the digest never leaves the process.
///
/// Fast on purpose, unlike the real service's PBKDF2: nothing here outlives the process, and
/// a developer's logins should not each cost a core for a quarter of a second.
struct PasswordDigests: Sendable {
    /// Its bytes: `SymmetricKey` is not `Sendable`.
    private let keyBytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    func digest(_ password: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(password.utf8), using: key))
    }

    /// Compares in constant time. A nil digest (no such user) is checked against a dummy, so
    /// an unknown user costs the same work as a wrong password.
    func matches(_ password: String, _ digest: [UInt8]?) -> Bool {
        let stored = digest ?? [UInt8](repeating: 0, count: SHA256.byteCount)
        let isValid = HMAC<SHA256>.isValidAuthenticationCode(stored, authenticating: Array(password.utf8), using: key)
        return digest != nil && isValid
    }
}
