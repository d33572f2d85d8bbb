/// The key every RPC server and client of one deployment shares; the handshake proves on both
/// sides that the peer knows it, without ever sending it.
public struct RPCSecret: Sendable, CustomStringConvertible {
    /// 32 bytes, the size of the HMAC-SHA256 output: a shorter key would be the weakest link.
    public static let minimumLength = 32

    /// Kept as bytes: `SymmetricKey` is not `Sendable` in this swift-crypto.
    let bytes: [UInt8]

    /// `nil` when `text` is shorter than ``minimumLength`` bytes (UTF-8).
    public init?(_ text: String) {
        guard text.utf8.count >= Self.minimumLength else { return nil }
        bytes = Array(text.utf8)
    }

    /// Never the key itself: configurations get logged and printed.
    public var description: String { "<\(bytes.count)-byte RPC secret>" }
}
