import Crypto

/// The HS256 key. Configured, it must be long enough to resist guessing (RFC 7518 §3.2: at
/// least the hash size, 32 bytes). Not configured, a random key is made for this process —
/// never a fixed default, which would let anyone who read the source forge tokens.
public struct JWTSecret: Sendable, CustomStringConvertible {
    public static let minimumLength = 32

    let bytes: [UInt8]
    /// True for a per-process random key: safe, but tokens do not survive a restart or work
    /// on another worker, which the service logs loudly.
    public let isGenerated: Bool

    init?(configured text: String) {
        guard text.utf8.count >= Self.minimumLength else { return nil }
        bytes = Array(text.utf8)
        isGenerated = false
    }

    static func generated() -> JWTSecret {
        JWTSecret(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }, isGenerated: true)
    }

    private init(bytes: [UInt8], isGenerated: Bool) {
        self.bytes = bytes
        self.isGenerated = isGenerated
    }

    /// Never the key itself: configurations get logged and printed.
    public var description: String { isGenerated ? "<generated>" : "<\(bytes.count) bytes>" }
}
