import JSONText
import Logging

/// One log event, ready to be encoded.
struct LogRecord {
    var timestamp: LogTimestamp
    var level: Logger.Level
    var service: String
    var requestID: String?
    var message: String
    /// Everything except the request id, which has its own field.
    var metadata: Logger.Metadata
}

/// Encodes a ``LogRecord`` as one line of bytes, newline included.
///
/// Text: `2025-01-31T23:59:59.123Z INFO data [req-1] message key=value other="a b"`.
/// JSON: `{"timestamp":…,"level":"info","service":…,"request_id":…,"message":…,"metadata":{…}}`.
/// Metadata keys are sorted so the same event always produces the same line.
enum LogLineEncoder {
    static func encode(_ record: LogRecord, as format: LogFormat) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(160 + record.message.utf8.count)
        switch format {
        case .text: appendText(record, to: &buffer)
        case .json: appendJSON(record, to: &buffer)
        }
        buffer.append(UInt8(ascii: "\n"))
        return buffer
    }

    // MARK: - Text

    private static func appendText(_ record: LogRecord, to buffer: inout [UInt8]) {
        record.timestamp.append(to: &buffer)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: textLevel(record.level).utf8)
        buffer.append(UInt8(ascii: " "))
        appendEscaped(record.service, to: &buffer)
        if let requestID = record.requestID {
            buffer.append(contentsOf: " [".utf8)
            appendEscaped(requestID, to: &buffer)
            buffer.append(UInt8(ascii: "]"))
        }
        buffer.append(UInt8(ascii: " "))
        appendEscaped(record.message, to: &buffer)
        for key in record.metadata.keys.sorted() {
            guard let value = record.metadata[key] else { continue }
            buffer.append(UInt8(ascii: " "))
            appendTextKey(key, to: &buffer)
            buffer.append(UInt8(ascii: "="))
            appendTextValue(value.description, to: &buffer)
        }
    }

    private static func textLevel(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// Keys are written bare; anything that would make `key=value` ambiguous becomes `_`.
    private static func appendTextKey(_ key: String, to buffer: inout [UInt8]) {
        for byte in key.utf8 {
            let ambiguous = byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"")
            buffer.append(ambiguous ? UInt8(ascii: "_") : byte)
        }
    }

    /// Bare when unambiguous, otherwise quoted (logfmt style) so values with spaces stay one field.
    private static func appendTextValue(_ value: String, to buffer: inout [UInt8]) {
        let needsQuotes =
            value.isEmpty
            || value.utf8.contains { byte in
                byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "=")
                    || byte == UInt8(ascii: "\\")
            }
        guard needsQuotes else {
            buffer.append(contentsOf: value.utf8)
            return
        }
        buffer.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): buffer.append(contentsOf: #"\\"#.utf8)
            default: appendEscapedByte(byte, to: &buffer)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// Control characters are escaped so a multi-line message still yields one line per event.
    private static func appendEscaped(_ text: String, to buffer: inout [UInt8]) {
        for byte in text.utf8 {
            appendEscapedByte(byte, to: &buffer)
        }
    }

    private static func appendEscapedByte(_ byte: UInt8, to buffer: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\n"): buffer.append(contentsOf: #"\n"#.utf8)
        case UInt8(ascii: "\r"): buffer.append(contentsOf: #"\r"#.utf8)
        case UInt8(ascii: "\t"): buffer.append(contentsOf: #"\t"#.utf8)
        case 0..<0x20: buffer.append(contentsOf: JSONString.escapeSequence(for: byte))
        case 0x7F: buffer.append(contentsOf: #"\u007f"#.utf8)
        default: buffer.append(byte)
        }
    }

    // MARK: - JSON

    private static func appendJSON(_ record: LogRecord, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: #"{"timestamp":""#.utf8)
        record.timestamp.append(to: &buffer)
        buffer.append(contentsOf: #"","level":"#.utf8)
        appendJSONString(record.level.rawValue, to: &buffer)
        buffer.append(contentsOf: #","service":"#.utf8)
        appendJSONString(record.service, to: &buffer)
        if let requestID = record.requestID {
            buffer.append(contentsOf: #","request_id":"#.utf8)
            appendJSONString(requestID, to: &buffer)
        }
        buffer.append(contentsOf: #","message":"#.utf8)
        appendJSONString(record.message, to: &buffer)
        // Metadata is nested rather than merged into the top level so a key such as "level"
        // can never produce a duplicate member.
        if !record.metadata.isEmpty {
            buffer.append(contentsOf: #","metadata":"#.utf8)
            appendJSONObject(record.metadata, to: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
    }

    private static func appendJSONObject(_ metadata: Logger.Metadata, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "{"))
        for (index, key) in metadata.keys.sorted().enumerated() {
            guard let value = metadata[key] else { continue }
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            appendJSONString(key, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            appendJSONValue(value, to: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
    }

    private static func appendJSONValue(_ value: Logger.MetadataValue, to buffer: inout [UInt8]) {
        switch value {
        case .string(let string):
            appendJSONString(string, to: &buffer)
        case .stringConvertible(let convertible):
            appendJSONString(convertible.description, to: &buffer)
        case .array(let values):
            buffer.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                appendJSONValue(element, to: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            appendJSONObject(dictionary, to: &buffer)
        }
    }

    private static func appendJSONString(_ string: String, to buffer: inout [UInt8]) {
        JSONString.append(string, to: &buffer)
    }
}
