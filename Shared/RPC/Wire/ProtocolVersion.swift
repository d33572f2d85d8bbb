public import NIOCore

/// The hello exchanged first in both directions:
/// `magic "MRPC" (u32), version (u16), nonce (32 bytes), u8 proof length (0 or 32), proof`.
/// The version changes whenever the frame layout, the handshake or a payload encoding changes;
/// only magic and version are read from a peer of another version, since the rest of its
/// hello may be laid out differently.
public struct Hello: Sendable, Equatable {
    public static let magic: UInt32 = 0x4D52_5043  // "MRPC"
    /// 2: the handshake authenticates both sides (nonces, proofs, the authenticate frame).
    /// 3: payloads are tagged messages (`WireFields`); the server announces its methods in a
    /// catalog frame before the first call.
    public static let currentVersion: UInt16 = 3
    public static let nonceSize = 32

    public var version: UInt16
    /// Fresh random bytes from the sender: the challenge the other side's proof must cover.
    public var nonce: [UInt8]
    /// Sent by a server that has a secret: `HandshakeProof` of its role. Empty otherwise
    /// (and always empty from a client, whose proof follows in an authenticate frame).
    public var proof: [UInt8]

    public init(version: UInt16 = Hello.currentVersion, nonce: [UInt8] = [UInt8](repeating: 0, count: Hello.nonceSize), proof: [UInt8] = [])
    {
        self.version = version
        self.nonce = nonce
        self.proof = proof
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Self.magic)
        buffer.writeInteger(version)
        buffer.writeBytes(nonce)
        buffer.writeInteger(UInt8(truncatingIfNeeded: proof.count))
        buffer.writeBytes(proof)
    }

    public init(from payload: ByteBuffer) throws(FrameError) {
        var payload = payload
        guard let magic = payload.readInteger(as: UInt32.self), magic == Self.magic else {
            throw .malformedPayload(.hello, "not an MRPC peer (bad magic)")
        }
        guard let version = payload.readInteger(as: UInt16.self) else {
            throw .malformedPayload(.hello, "missing version")
        }
        self.version = version
        guard version == Self.currentVersion else {
            nonce = []
            proof = []
            return
        }
        guard let nonce = payload.readBytes(length: Self.nonceSize) else { throw .malformedPayload(.hello, "truncated nonce") }
        guard let proofLength = payload.readInteger(as: UInt8.self), proofLength == 0 || Int(proofLength) == HandshakeProof.size,
            let proof = payload.readBytes(length: Int(proofLength))
        else { throw .malformedPayload(.hello, "missing or malformed proof") }
        guard payload.readableBytes == 0 else { throw .malformedPayload(.hello, "\(payload.readableBytes) unexpected trailing bytes") }
        self.nonce = nonce
        self.proof = proof
    }
}
