import Crypto

/// The proofs of the handshake: HMAC-SHA256 over a label naming the protocol version and the
/// prover's role, then both nonces. The label keeps a server's proof from being replayed as a
/// client's (and either from counting in another version); the nonce each side chose keeps a
/// proof recorded on one connection from working on any other.
public enum HandshakeProof {
    public static let size = 32

    public enum Role: Sendable {
        case client, server

        var label: [UInt8] {
            switch self {
            case .client: Array("MRPC/\(Hello.currentVersion) client proof".utf8)
            case .server: Array("MRPC/\(Hello.currentVersion) server proof".utf8)
            }
        }
    }

    public static func make(_ role: Role, secret: RPCSecret, clientNonce: [UInt8], serverNonce: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: transcript(role, clientNonce, serverNonce), using: SymmetricKey(data: secret.bytes)))
    }

    /// Constant-time, so a peer learns nothing from how long a wrong proof took to refuse.
    public static func isValid(_ proof: [UInt8], _ role: Role, secret: RPCSecret, clientNonce: [UInt8], serverNonce: [UInt8]) -> Bool {
        guard proof.count == size else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            proof, authenticating: transcript(role, clientNonce, serverNonce), using: SymmetricKey(data: secret.bytes))
    }

    /// 32 bytes from the system's cryptographic generator (getrandom on Linux).
    public static func makeNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var nonce: [UInt8] = []
        nonce.reserveCapacity(Hello.nonceSize)
        for _ in 0..<(Hello.nonceSize / 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { nonce.append(contentsOf: $0) }
        }
        return nonce
    }

    private static func transcript(_ role: Role, _ clientNonce: [UInt8], _ serverNonce: [UInt8]) -> [UInt8] {
        role.label + clientNonce + serverNonce
    }
}
