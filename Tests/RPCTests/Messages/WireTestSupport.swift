import Foundation
import NIOCore
import RPC
import XCTest

// Helpers shared by the wire format tests: bytes in, bytes out, and assertions on the
// errors the format throws.

/// The binary form of `message` as an array, for comparing with hand-computed bytes.
func wireBytes<Message: WireMessage>(_ message: Message) throws -> [UInt8] {
    var buffer = ByteBuffer()
    try message.encodeWire(into: &buffer)
    return Array(buffer.readableBytesView)
}

func wireDecode<Message: WireMessage>(_: Message.Type, _ bytes: [UInt8], limits: WireLimits = WireLimits()) throws -> Message {
    var buffer = ByteBuffer(bytes: bytes)
    let message = try Message(wire: &buffer, limits: limits)
    XCTAssertEqual(buffer.readableBytes, 0, "decoding consumes the payload")
    return message
}

func wireRoundTrip<Message: WireMessage>(_ message: Message) throws -> Message {
    try wireDecode(Message.self, wireBytes(message))
}

func jsonText<Message: WireMessage>(_ message: Message) throws -> String {
    var buffer = ByteBuffer()
    try message.encodeJSON(into: &buffer)
    return String(buffer: buffer)
}

func jsonDecode<Message: WireMessage>(_: Message.Type, _ text: String, limits: WireLimits = WireLimits()) throws -> Message {
    var buffer = ByteBuffer(string: text)
    let message = try Message(json: &buffer, limits: limits)
    XCTAssertEqual(buffer.readableBytes, 0, "decoding consumes the payload")
    return message
}

func jsonRoundTrip<Message: WireMessage>(_ message: Message) throws -> Message {
    try jsonDecode(Message.self, jsonText(message))
}

/// Asserts that both the binary and the JSON form of `message` decode to `message`.
func assertWireRoundTrip<Message: WireMessage & Equatable>(
    _ message: Message, json: Bool = true, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(try wireRoundTrip(message), message, "binary", file: file, line: line)
    if json {
        XCTAssertEqual(try jsonRoundTrip(message), message, "JSON: \((try? jsonText(message)) ?? "")", file: file, line: line)
    }
}

/// Asserts that `body` throws a ``WireFormatError`` whose description contains every one of
/// `fragments`.
func assertWireFormatError<T>(
    _ body: @autoclosure () throws -> T, mentioning fragments: String..., file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        guard let error = error as? WireFormatError else {
            return XCTFail("expected WireFormatError, got \(type(of: error)): \(error)", file: file, line: line)
        }
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    }
}

/// Asserts that decoding `bytes` as `Message` throws a ``WireFormatError`` mentioning
/// every one of `fragments`.
func assertWireRejects<Message: WireMessage>(
    _: Message.Type, _ bytes: [UInt8], mentioning fragments: String..., limits: WireLimits = WireLimits(),
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try wireDecode(Message.self, bytes, limits: limits), file: file, line: line) { error in
        guard let error = error as? WireFormatError else {
            return XCTFail("expected WireFormatError, got \(type(of: error)): \(error)", file: file, line: line)
        }
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    }
}

/// Asserts that decoding `text` as `Message` throws a ``WireFormatError`` mentioning every
/// one of `fragments`.
func assertJSONRejects<Message: WireMessage>(
    _: Message.Type, _ text: String, mentioning fragments: String..., limits: WireLimits = WireLimits(),
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try jsonDecode(Message.self, text, limits: limits), file: file, line: line) { error in
        guard let error = error as? WireFormatError else {
            return XCTFail("expected WireFormatError, got \(type(of: error)): \(error)", file: file, line: line)
        }
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    }
}

/// `value` as a shortest-form LEB128 varint, computed independently of the library.
func varint(_ value: UInt64) -> [UInt8] {
    var bytes: [UInt8] = []
    var remaining = value
    while remaining >= 0x80 {
        bytes.append(UInt8(remaining & 0x7F) | 0x80)
        remaining >>= 7
    }
    bytes.append(UInt8(remaining))
    return bytes
}

/// A field key: `tag << 3 | wire type`, as a varint.
func fieldKey(_ tag: UInt32, _ type: WireType) -> [UInt8] {
    varint(UInt64(tag) << 3 | UInt64(type.rawValue))
}

/// A length-delimited field: key, byte count, bytes.
func lengthDelimited(_ tag: UInt32, _ bytes: [UInt8]) -> [UInt8] {
    fieldKey(tag, .lengthDelimited) + varint(UInt64(bytes.count)) + bytes
}

func littleEndian<Integer: FixedWidthInteger>(_ value: Integer) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

// MARK: Models used by several test files

/// A message that contains itself: any depth is possible, so decoding must bound it.
struct WireTree: WireMessage, Equatable {
    var name = ""
    var children: [WireTree] = []

    init() {}

    init(_ name: String, _ children: [WireTree] = []) {
        self.name = name
        self.children = children
    }

    mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "name", &name)
        try fields.field(2, "children", &children)
    }

    /// A chain `levels` messages below the root, each the only child of the one above.
    static func chain(_ levels: Int) -> WireTree {
        var tree = WireTree("leaf")
        for level in 0..<levels {
            tree = WireTree("\(level)", [tree])
        }
        return tree
    }
}

/// An enumeration with a negative and a large number, so that both varint forms are used.
enum WireMood: Int32, WireEnum {
    case unknown = 0
    case happy = 1
    case sad = -5
    case ecstatic = 1_000_000

    static var unknownCase: WireMood { .unknown }
}

/// The bytes of a ``WireTree`` that is a chain `levels` messages below the root, every one
/// with an empty name and one child but the last: built without recursion, so that a depth
/// no decoder should reach can be tried.
func deepTreeBytes(levels: Int) -> [UInt8] {
    // The size of the message at each depth, from the innermost (a leaf: its empty name) out.
    var sizes = [2]
    for _ in 0..<levels {
        let inner = sizes[sizes.count - 1]
        sizes.append(2 + 1 + varint(UInt64(inner)).count + inner)
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(sizes[levels])
    for depth in stride(from: levels - 1, through: 0, by: -1) {
        bytes += [0x0A, 0x00, 0x12]  // name: "", then the child's key
        bytes += varint(UInt64(sizes[depth]))
    }
    bytes += [0x0A, 0x00]
    return bytes
}
