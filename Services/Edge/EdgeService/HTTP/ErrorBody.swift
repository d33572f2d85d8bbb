import NIOCore

/// The JSON error shape every service answers with: `{"error": "<code>", "message": "<sentence>"}`.
struct ErrorBody: Sendable, Equatable {
    var code: String
    var message: String

    func encoded() -> ByteBuffer {
        var text = #"{"error":"#
        JSONString.append(code, to: &text)
        text += #","message":"#
        JSONString.append(message, to: &text)
        text += "}"
        return ByteBuffer(string: text)
    }
}

enum JSONString {
    /// Appends `value` as a JSON string literal, escaping what RFC 8259 requires.
    static func append(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
