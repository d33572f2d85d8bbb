import NIOCore

/// The hello exchanged first in both directions: 4 magic bytes and the protocol version.
/// The version changes whenever the frame layout or a payload encoding changes.
public struct Hello: Sendable, Equatable {
    public static let magic: UInt32 = 0x4D52_5043  // "MRPC"
    public static let currentVersion: UInt16 = 1

    public var version: UInt16

    public init(version: UInt16 = Hello.currentVersion) { self.version = version }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Self.magic)
        buffer.writeInteger(version)
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
    }
}
