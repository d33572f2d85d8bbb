import Foundation

/// A stored password hash in its self-describing text form,
/// `pbkdf2-sha256$<iterations>$<salt, base64>$<derived key, base64>`.
///
/// Every parameter travels with the hash, so raising the iteration count later changes only
/// new hashes; old ones still verify with the count they were made with.
struct PasswordHash: Equatable {
    static let scheme = "pbkdf2-sha256"

    let iterations: Int
    let salt: [UInt8]
    let derivedKey: [UInt8]

    init(iterations: Int, salt: [UInt8], derivedKey: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.derivedKey = derivedKey
    }

    /// Nil for text that is not a hash this build understands.
    init?(parsing text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme,
            let iterations = Int(parts[1]), iterations > 0,
            let salt = Data(base64Encoded: String(parts[2])), !salt.isEmpty,
            let key = Data(base64Encoded: String(parts[3])), !key.isEmpty
        else { return nil }
        self.init(iterations: iterations, salt: Array(salt), derivedKey: Array(key))
    }

    var text: String {
        "\(Self.scheme)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(derivedKey).base64EncodedString())"
    }
}
