import JSONText
public import NIOCore

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

// The JSON form of a message, for people and tools (`rpc call`), never the hot path: an
// object with a member per present field, named as in `wireFields`; 64-bit integers as
// numbers, timestamps as ISO 8601 strings, bytes as base64, enum cases by name, non-finite
// floats as "NaN", "Infinity", "-Infinity". Reading is strict where binary is lenient: a
// member no field names is an error, since in typed JSON it is a typo.

extension WireMessage {
    /// Appends the message's JSON form to `buffer`.
    public func encodeJSON(into buffer: inout ByteBuffer) throws {
        var fields = WireFields(writingJSONInto: buffer)
        buffer = ByteBuffer()
        defer { buffer = fields.buffer }
        try fields.writeJSONObject(self)
    }

    /// Decodes a message from JSON text: all readable bytes of `buffer`, which are consumed.
    public init(json buffer: inout ByteBuffer, limits: WireLimits = WireLimits()) throws {
        let value: JSONValue
        do {
            // A message level is an object and, for a repeated field, an array in it. The parser's
            // bound only keeps hostile nesting off the stack; the levels themselves are checked
            // while reading, with an error that names the limit.
            value = JSONValue(try JSONParser.parse(buffer.readableBytesView, maximumDepth: 2 * limits.maxDepth + 8))
        } catch {
            throw WireFormatError("not valid JSON: \(error)")
        }
        var fields = WireFields(readingJSON: value, limits: limits)
        self = try fields.readJSONMessage(Self.self)
        buffer.moveReaderIndex(to: buffer.writerIndex)
    }
}

/// A parsed JSON value. Integers are kept apart from other numbers so 64-bit ids survive.
@usableFromInline
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Numbers by their text: an integer literal that fits stays exact, anything else (a
    /// fraction, an exponent, `-0`, an integer beyond 64 bits) is a `Double`.
    init(_ parsed: ParsedJSON) {
        switch parsed {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .string(let value): self = .string(value)
        case .number(let text):
            let isNegative = text.utf8.first == UInt8(ascii: "-")
            // `-0` would read as the integer 0; only a Double keeps the sign a float field wrote.
            if text != "-0", let integer = Int64(text) {
                self = .integer(integer)
            } else if !isNegative, let unsigned = UInt64(text) {
                self = .unsigned(unsigned)
            } else {
                self = .number(Double(text) ?? .nan)
            }
        case .array(let elements): self = .array(elements.map(JSONValue.init))
        case .object(let members): self = .object(members.mapValues(JSONValue.init))
        }
    }
}

extension WireFields {
    // MARK: Writing

    @usableFromInline
    mutating func writeJSONObject<Message: WireMessage>(_ message: Message) throws {
        buffer.writeInteger(UInt8(ascii: "{"))
        let outerHasMember = jsonHasMember
        jsonHasMember = false
        var copy = message
        try copy.wireFields(&self)
        jsonHasMember = outerHasMember
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    @usableFromInline
    mutating func writeJSONMemberName(_ name: StaticString) {
        if jsonHasMember { buffer.writeInteger(UInt8(ascii: ",")) }
        jsonHasMember = true
        writeJSONString("\(name)")
        buffer.writeInteger(UInt8(ascii: ":"))
    }

    @usableFromInline
    mutating func writeJSONString(_ text: String) {
        JSONString.quote(text) { buffer.writeBytes($0) }
    }

    @usableFromInline
    mutating func writeJSONLiteral(_ text: String) {
        buffer.writeString(text)
    }

    @usableFromInline
    mutating func writeJSONNumber(_ value: Double) {
        if value.isNaN {
            writeJSONString("NaN")
        } else if value.isInfinite {
            writeJSONString(value < 0 ? "-Infinity" : "Infinity")
        } else {
            buffer.writeString("\(value)")
        }
    }

    @usableFromInline
    mutating func writeJSONDate(_ value: Date) {
        // ISO 8601 has years 1 to 9999; a date outside them (or not finite) is its seconds
        // since 2001, which reading accepts too.
        guard Self.writableDates.contains(value.timeIntervalSinceReferenceDate) else {
            writeJSONNumber(value.timeIntervalSinceReferenceDate)
            return
        }
        // The format style truncates to the millisecond, and the Double of a whole millisecond
        // often lies just below it: half a millisecond more makes that the nearest one.
        let nearest = Date(timeIntervalSinceReferenceDate: value.timeIntervalSinceReferenceDate + 0.000_5)
        writeJSONString(nearest.formatted(Self.iso8601WithFractionalSeconds))
    }

    /// From 0001-01-01 to 9999-12-31, in seconds since 2001-01-01.
    private static let writableDates = -63_113_904_000.0...252_423_993_598.0
    private static let iso8601 = Date.ISO8601FormatStyle()
    private static let iso8601WithFractionalSeconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    // MARK: Reading

    /// Positions the reader on member `name` of the object being read; false when it is
    /// absent (or `null`, where `nullable`).
    @usableFromInline
    mutating func enterJSONMember(_ name: StaticString, nullable: Bool) throws -> Bool {
        guard let member = jsonObject["\(name)"] else { return false }
        jsonMembersRead += 1
        if case .null = member, nullable { return false }
        jsonValue = member
        return true
    }

    @usableFromInline
    mutating func readJSONMember<Value: WireValue>(_: Value.Type, _ name: StaticString) throws -> Value {
        do {
            return try Value.readJSON(from: &self)
        } catch let error as WireFormatError {
            throw error.inField(name)
        }
    }

    @usableFromInline
    mutating func readJSONArray<Value: WireValue>(_: Value.Type, _ name: StaticString) throws -> [Value] {
        guard case .array(let items) = jsonValue else { throw jsonTypeMismatch("an array").inField(name) }
        var values: [Value] = []
        values.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            jsonValue = item
            do {
                values.append(try Value.readJSON(from: &self))
            } catch let error as WireFormatError {
                throw error.inField(name, index: index)
            }
        }
        return values
    }

    @usableFromInline
    mutating func readJSONMessage<Message: WireMessage>(_: Message.Type) throws -> Message {
        guard case .object(let members) = jsonValue else { throw jsonTypeMismatch("an object") }
        // The root object is depth 0, as the root message is in binary.
        guard depth <= limits.maxDepth else { throw WireFormatError("objects nested deeper than \(limits.maxDepth)") }
        let outerObject = jsonObject
        let outerRead = jsonMembersRead
        jsonObject = members
        jsonMembersRead = 0
        depth += 1
        var message = Message()
        try message.wireFields(&self)
        if jsonMembersRead != members.count {
            let known = Set(Message.wireSchema().rootMessage?.fields.map(\.name) ?? [])
            let unknown = members.keys.filter { !known.contains($0) }.sorted()
            throw WireFormatError("unknown member\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")) in \(Message.self)")
        }
        depth -= 1
        jsonObject = outerObject
        jsonMembersRead = outerRead
        return message
    }

    @usableFromInline
    func readJSONEnum<Enumeration: WireEnum>(_: Enumeration.Type) throws -> Enumeration {
        switch jsonValue {
        case .string(let name):
            return Enumeration.allCases.first { "\($0)" == name } ?? Enumeration.unknownCase
        case .integer(let number):
            return Int32(exactly: number).flatMap(Enumeration.init(rawValue:)) ?? Enumeration.unknownCase
        default:
            throw jsonTypeMismatch("a case name")
        }
    }

    @usableFromInline
    func readJSONNumber() throws -> Double {
        switch jsonValue {
        case .integer(let value): return Double(value)
        case .unsigned(let value): return Double(value)
        case .number(let value): return value
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: throw jsonTypeMismatch("a number")
        }
    }

    @usableFromInline
    func readJSONDate() throws -> Date {
        // People typing JSON by hand should not have to spell out fractional seconds.
        if case .string(let text) = jsonValue,
            let date = (try? Self.iso8601WithFractionalSeconds.parse(text)) ?? (try? Self.iso8601.parse(text))
        {
            return date
        }
        // Only a date ISO 8601 cannot spell is written as seconds; any other number is a mistake.
        guard let seconds = try? readJSONNumber(), !Self.writableDates.contains(seconds) else {
            throw jsonTypeMismatch("an ISO 8601 date such as 2025-01-31T12:00:00.000Z")
        }
        return Date(timeIntervalSinceReferenceDate: seconds)
    }

    @usableFromInline
    func jsonTypeMismatch(_ expected: String) -> WireFormatError {
        WireFormatError("expected \(expected), found \(jsonValue.kind)")
    }
}

extension JSONValue {
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .unsigned, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
