/// Just enough HTTP/2 framing (RFC 9113 §4.1) to open streams by hand and read what a server
/// answered.
public enum HTTP2Frames {
    public struct Frame: Sendable {
        public var type: UInt8
        public var flags: UInt8
        public var stream: UInt32
        public var payload: [UInt8]
    }

    public static let settingsType: UInt8 = 0x4
    public static let resetStreamType: UInt8 = 0x3
    public static let goAwayType: UInt8 = 0x7

    /// The client connection preface (RFC 9113 §3.4), without the SETTINGS frame that follows it.
    public static let clientPreface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// `GET /` for `localhost` over https in HPACK, from the static table and literals without
    /// indexing, so every frame can carry the same bytes.
    public static let getRoot: [UInt8] = [0x82, 0x87, 0x84, 0x01, 9] + Array("localhost".utf8)

    public static func frame(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
            + [UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)] + payload
    }

    /// The complete frames at the start of `bytes`.
    public static func parse(_ bytes: [UInt8]) -> [Frame] {
        var frames: [Frame] = []
        var index = 0
        while index + 9 <= bytes.count {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            guard index + 9 + length <= bytes.count else { break }
            let stream =
                UInt32(bytes[index + 5] & 0x7F) << 24 | UInt32(bytes[index + 6]) << 16 | UInt32(bytes[index + 7]) << 8
                | UInt32(bytes[index + 8])
            frames.append(
                Frame(
                    type: bytes[index + 3], flags: bytes[index + 4], stream: stream,
                    payload: Array(bytes[(index + 9)..<(index + 9 + length)])))
            index += 9 + length
        }
        return frames
    }

    /// A GOAWAY frame's error code (RFC 9113 §6.8), or nil for another frame or a short payload.
    public static func goAwayErrorCode(_ frame: Frame) -> UInt32? {
        guard frame.type == goAwayType, frame.payload.count >= 8 else { return nil }
        return frame.payload[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}
