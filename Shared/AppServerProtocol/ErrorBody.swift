import JSONText
public import NIOCore

/// The JSON error shape the edge and every app server answer with:
/// `{"error": "<code>", "message": "<sentence>"}`. The code is for programs, the message for
/// people.
public struct ErrorBody: Encodable, Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case code = "error"
        case message
    }

    /// The body's bytes, written directly (the edge answers errors without an encoder).
    public func encoded() -> ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32 + code.utf8.count + message.utf8.count)
        bytes.append(contentsOf: #"{"error":"#.utf8)
        JSONString.append(code, to: &bytes)
        bytes.append(contentsOf: #","message":"#.utf8)
        JSONString.append(message, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return ByteBuffer(bytes: bytes)
    }
}
