/// A JSON value as parsed, numbers kept as written so that each reader converts them its own
/// way (a 64-bit id must not pass through a `Double`).
public enum ParsedJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text, already checked against JSON's grammar, so `Double(_:)` and
    /// `Int64(_:)` read it as JSON means it.
    case number(String)
    case string(String)
    case array([ParsedJSON])
    case object([String: ParsedJSON])
}

/// Parses JSON text in one pass over its bytes, strictly by RFC 8259.
///
/// Foundation's `JSONDecoder` reaches an untyped value only through `Decodable`, trying each
/// kind in turn and building a `DecodingError` for every miss: 7.8 % of a worker's CPU under
/// the POST load went there for a one-field body. Stricter than it, too: no trailing commas,
/// no duplicate keys (which one would win is the kind of thing two parsers disagree on), no
/// lone surrogates, no bytes that are not UTF-8, and a bounded nesting of arrays and objects
/// (``defaultMaximumDepth`` unless the caller says otherwise).
public struct JSONParser {
    /// Nested arrays and objects allowed by default; deeper input is refused, not recursed into.
    public static let defaultMaximumDepth = 64

    /// Why the input is not JSON, with the byte offset where that became clear.
    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        public let offset: Int
        public let reason: String

        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// The one value `bytes` holds, with only whitespace around it, and at most
    /// `maximumDepth` arrays and objects nested in each other.
    public static func parse(_ bytes: some Collection<UInt8>, maximumDepth: Int = defaultMaximumDepth) throws(Error) -> ParsedJSON {
        let result =
            bytes.withContiguousStorageIfAvailable { parsed(buffer: $0, maximumDepth: maximumDepth) }
            ?? Array(bytes).withUnsafeBufferPointer { parsed(buffer: $0, maximumDepth: maximumDepth) }
        return try result.get()
    }

    private static func parsed(buffer: UnsafeBufferPointer<UInt8>, maximumDepth: Int) -> Result<ParsedJSON, Error> {
        do throws(Error) {
            var parser = JSONParser(bytes: buffer, maximumDepth: maximumDepth)
            return .success(try parser.document())
        } catch {
            return .failure(error)
        }
    }

    private mutating func document() throws(Error) -> ParsedJSON {
        skipWhitespace()
        let value = try value(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw error("unexpected data after the value") }
        return value
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maximumDepth: Int
    private var position = 0

    private init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    private func error(_ reason: String) -> Error {
        Error(offset: position, reason: reason)
    }

    private var current: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func value(depth: Int) throws(Error) -> ParsedJSON {
        guard let byte = current else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: ParsedJSON) throws(Error) -> ParsedJSON {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count,
            UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(bytes[position..<position + count])
        else { throw error("unexpected character") }
        position += count
        return value
    }

    private mutating func object(depth: Int) throws(Error) -> ParsedJSON {
        guard depth <= maximumDepth else { throw error("nested too deeply") }
        var members: [String: ParsedJSON] = [:]
        guard opens(closing: UInt8(ascii: "}")) else { return .object(members) }
        while true {
            guard current == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let keyOffset = position
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipWhitespace()
            let member = try value(depth: depth)
            guard members.updateValue(member, forKey: key) == nil else {
                throw Error(offset: keyOffset, reason: "member \"\(key)\" given more than once")
            }
            guard try another(closing: UInt8(ascii: "}")) else { return .object(members) }
        }
    }

    private mutating func array(depth: Int) throws(Error) -> ParsedJSON {
        guard depth <= maximumDepth else { throw error("nested too deeply") }
        var elements: [ParsedJSON] = []
        guard opens(closing: UInt8(ascii: "]")) else { return .array(elements) }
        while true {
            elements.append(try value(depth: depth))
            guard try another(closing: UInt8(ascii: "]")) else { return .array(elements) }
        }
    }

    /// Past an opening bracket: false when `closing` follows at once (an empty container).
    private mutating func opens(closing: UInt8) -> Bool {
        position += 1
        skipWhitespace()
        guard current == closing else { return true }
        position += 1
        return false
    }

    /// After a member or element: true when a `,` says another follows, false past `closing`.
    private mutating func another(closing: UInt8) throws(Error) -> Bool {
        skipWhitespace()
        switch current {
        case UInt8(ascii: ","):
            position += 1
            skipWhitespace()
            return true
        case closing:
            position += 1
            return false
        default: throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`: checked here, because the
    /// standard library's conversions alone would also take `inf`, `0x1p3` or `1.`.
    private mutating func number() throws(Error) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else if isDigit(current) {
            skipDigits()
        } else {
            throw error("expected a digit")
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard isDigit(current) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard isDigit(current) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while isDigit(current) { position += 1 }
    }

    /// A string from its opening quote to past its closing one. Runs without escapes are
    /// validated and copied as they are.
    private mutating func string() throws(Error) -> String {
        position += 1
        var runStart = position
        var unescaped: [UInt8]?
        while true {
            guard let byte = current else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                let run = UnsafeBufferPointer(rebasing: bytes[runStart..<position])
                position += 1
                if var unescaped {
                    unescaped.append(contentsOf: run)
                    return try validated(unescaped[...], from: runStart)
                }
                return try validated(run[...], from: runStart)
            case UInt8(ascii: "\\"):
                // Taken out, so appending does not copy what the string has so far.
                var collected = unescaped ?? []
                unescaped = nil
                collected.append(contentsOf: bytes[runStart..<position])
                position += 1
                try escape(into: &collected)
                unescaped = collected
                runStart = position
            case 0x00..<0x20:
                throw error("control character in a string")
            default:
                position += 1
            }
        }
    }

    private func validated(_ utf8: some Collection<UInt8>, from offset: Int) throws(Error) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw Error(offset: offset, reason: "string is not UTF-8") }
        return text
    }

    private mutating func escape(into output: inout [UInt8]) throws(Error) {
        guard let byte = current else { throw error("unterminated string") }
        position += 1
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case UInt8(ascii: "/"): UInt8(ascii: "/")
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            output.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw error("invalid escape") }
        var scalar = UInt32(try hexQuad())
        if (0xD800...0xDBFF).contains(scalar) {
            guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("lone surrogate")
            }
            position += 2
            let low = UInt32(try hexQuad())
            guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw error("lone surrogate")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid escape") }
        output.append(contentsOf: unicode.utf8)
    }

    private mutating func hexQuad() throws(Error) -> UInt16 {
        guard bytes.count - position >= 4 else { throw error("unterminated string") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}
