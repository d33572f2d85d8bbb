import Foundation
import NIOCore
import XCTest

@testable import RPC

// MARK: The Codable path, for comparison

/// The bytes of `value`'s `Codable` conformance: hand-written conformances are ignored all
/// the way down (except those of the format's own containers).
func codableBinaryBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
    var encoder = BinaryPayloadEncoder()
    encoder.usesHandWrittenCoding = false
    var buffer = ByteBuffer()
    try encoder.encode(value, into: &buffer)
    return Array(buffer.readableBytesView)
}

/// Decodes through `init(from:)` all the way down.
func codableBinaryDecode<T: Decodable>(
    _ type: T.Type,
    _ bytes: [UInt8],
    limits: BinaryPayloadDecoder.Limits = .default
) throws -> T {
    var decoder = BinaryPayloadDecoder(limits: limits)
    decoder.usesHandWrittenCoding = false
    var buffer = ByteBuffer(bytes: bytes)
    return try decoder.decode(type, from: &buffer)
}

/// Asserts that the fast path writes the `Codable` bytes of `value`, and that each path
/// decodes the other's bytes back to `value`.
func assertFastPathMatchesCodable<T: Codable & Equatable>(
    _ value: T,
    _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath,
    line: UInt = #line
) {
    XCTAssertTrue(T.self is any BinaryPayloadEncodable.Type, "\(T.self) has no fast path", file: file, line: line)
    XCTAssertTrue(T.self is any BinaryPayloadDecodable.Type, "\(T.self) has no fast path", file: file, line: line)
    do {
        let fast = try binaryBytes(value)
        let codable = try codableBinaryBytes(value)
        XCTAssertEqual(fast, codable, "fast path bytes differ from Codable's \(message())", file: file, line: line)
        XCTAssertEqual(try binaryDecode(T.self, codable), value, "fast decoding \(message())", file: file, line: line)
        XCTAssertEqual(try codableBinaryDecode(T.self, fast), value, "Codable decoding \(message())", file: file, line: line)
    } catch {
        XCTFail("\(error) \(message())", file: file, line: line)
    }
}

/// Asserts that every truncation of `bytes` throws a `DecodingError` on the fast path, and
/// that corrupting a byte makes both paths fail with the same error or decode the same
/// value. Tries every position, or `sampling` random ones of a long input. Descriptions must
/// match too, except a fast-path error mentioning `ownCheck`: a hand-written check that
/// words its error its own way.
func assertFastPathRejectsLikeCodable<T: Codable>(
    _ type: T.Type,
    _ bytes: [UInt8],
    sampling: Int? = nil,
    ownCheck: String? = nil,
    file: StaticString = #filePath,
    line: UInt = #line
) {
    var random = SplitMix64(seed: UInt64(bytes.count))
    let positions =
        bytes.isEmpty
        ? []
        : sampling.map { count in
            (0..<count).map { _ in Int.random(in: bytes.indices, using: &random) }
        } ?? Array(bytes.indices)
    for length in positions {
        XCTAssertThrowsError(try binaryDecode(type, Array(bytes.prefix(length))), "prefix of \(length)", file: file, line: line) {
            XCTAssertTrue($0 is DecodingError, "prefix of \(length): \($0)", file: file, line: line)
        }
    }
    for position in positions {
        for replacement: UInt8 in [0x00, 0x01, 0x02, 0x7F, 0x80, 0xC3, 0xFF, bytes[position] ^ 0x01] {
            var damaged = bytes
            damaged[position] = replacement
            let description = "byte \(position) set to \(replacement)"
            switch (Result { try binaryDecode(type, damaged) }, Result { try codableBinaryDecode(type, damaged) }) {
            case (.success(let fast), .success(let codable)):
                // Compared as bytes: a corrupted Double may be NaN, which equals nothing.
                XCTAssertEqual(try binaryBytes(fast), try binaryBytes(codable), description, file: file, line: line)
            case (.failure(let fast), .failure(let codable)):
                guard case .dataCorrupted = fast as? DecodingError, case .dataCorrupted = codable as? DecodingError else {
                    XCTFail("\(description): \(fast) and \(codable)", file: file, line: line)
                    continue
                }
                if let ownCheck, "\(fast)".contains(ownCheck) {
                    XCTAssertTrue("\(codable)".contains(ownCheck), "\(description): \(codable)", file: file, line: line)
                } else {
                    XCTAssertEqual("\(fast)", "\(codable)", description, file: file, line: line)
                }
            case (.success, .failure(let error)):
                XCTFail("\(description): the fast path accepts what Codable rejects: \(error)", file: file, line: line)
            case (.failure(let error), .success):
                XCTFail("\(description): the fast path rejects what Codable accepts: \(error)", file: file, line: line)
            }
        }
    }
}

// MARK: Hand-written types

/// A raw-value enum written as its raw value, as its synthesized conformance does.
enum FastLevel: UInt8, Codable, BinaryPayloadEncodable, BinaryPayloadDecodable {
    case low = 1
    case high = 200

    func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        output.write(self.rawValue)
    }

    init(binaryPayload input: inout BinaryPayloadInput) throws {
        let rawValue = try input.read(UInt8.self)
        guard let level = FastLevel(rawValue: rawValue) else {
            throw input.dataCorruptedError("no FastLevel with raw value \(rawValue)")
        }
        self = level
    }
}

struct FastLeaf: Codable, Equatable, BinaryPayloadEncodable, BinaryPayloadDecodable {
    var name: String
    var weight: Int32?

    init(name: String, weight: Int32?) {
        self.name = name
        self.weight = weight
    }

    func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        output.write(self.name)
        output.writeIfPresent(self.weight)
    }

    init(binaryPayload input: inout BinaryPayloadInput) throws {
        self.name = try input.read(String.self)
        self.weight = try input.readIfPresent(Int32.self)
    }
}

/// A recursive type read with `readArray(of:)`, which must keep counting nesting levels.
struct FastTree: Codable, Equatable, BinaryPayloadEncodable, BinaryPayloadDecodable {
    var name: String
    var children: [FastTree]

    init(name: String, children: [FastTree]) {
        self.name = name
        self.children = children
    }

    func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
        output.write(self.name)
        try output.writeArray(self.children)
    }

    init(binaryPayload input: inout BinaryPayloadInput) throws {
        self.name = try input.read(String.self)
        self.children = try input.readArray(of: FastTree.self)
    }
}

/// Breaks the rule on purpose (its fast path writes `value + 1`), so that a test can see
/// which path the encoder and decoder take.
struct OffByOne: Codable, Equatable, BinaryPayloadEncodable, BinaryPayloadDecodable {
    var value: Int

    init(value: Int) {
        self.value = value
    }

    func encodeBinaryPayload(to output: inout BinaryPayloadOutput) {
        output.write(self.value &+ 1)
    }

    init(binaryPayload input: inout BinaryPayloadInput) throws {
        self.value = try input.read(Int.self) &- 1
    }
}

/// Every part of the public fast-path API, hand-written to match the synthesized `Codable`.
struct FastEverything: Codable, Equatable {
    var bool: Bool
    var string: String
    var double: Double
    var float: Float
    var int: Int
    var int8: Int8
    var int16: Int16
    var int32: Int32
    var int64: Int64
    var uint: UInt
    var uint8: UInt8
    var uint16: UInt16
    var uint32: UInt32
    var uint64: UInt64
    var date: Date
    var maybeBool: Bool?
    var maybeString: String?
    var maybeDouble: Double?
    var maybeFloat: Float?
    var maybeInt: Int?
    var maybeInt8: Int8?
    var maybeInt16: Int16?
    var maybeInt32: Int32?
    var maybeInt64: Int64?
    var maybeUInt: UInt?
    var maybeUInt8: UInt8?
    var maybeUInt16: UInt16?
    var maybeUInt32: UInt32?
    var maybeUInt64: UInt64?
    var maybeDate: Date?
    var level: FastLevel
    /// Written with `writeCount` and one `write` per element.
    var tags: [String]
    var leaves: [FastLeaf]
    var leaf: FastLeaf
    var maybeLeaf: FastLeaf?
    /// A `Codable`-only type, written through the encoder.
    var post: SamplePost
    var maybePost: SamplePost?
    var bytes: [UInt8]
    var buffer: ByteBuffer
    var data: Data
    /// A format container, written through its own conformance without a cast.
    var grid: [[Int]]
}

extension FastEverything: BinaryPayloadEncodable, BinaryPayloadDecodable {
    func encodeBinaryPayload(to output: inout BinaryPayloadOutput) throws {
        output.write(self.bool)
        output.write(self.string)
        output.write(self.double)
        output.write(self.float)
        output.write(self.int)
        output.write(self.int8)
        output.write(self.int16)
        output.write(self.int32)
        output.write(self.int64)
        output.write(self.uint)
        output.write(self.uint8)
        output.write(self.uint16)
        output.write(self.uint32)
        output.write(self.uint64)
        output.write(self.date)
        output.writeIfPresent(self.maybeBool)
        output.writeIfPresent(self.maybeString)
        output.writeIfPresent(self.maybeDouble)
        output.writeIfPresent(self.maybeFloat)
        output.writeIfPresent(self.maybeInt)
        output.writeIfPresent(self.maybeInt8)
        output.writeIfPresent(self.maybeInt16)
        output.writeIfPresent(self.maybeInt32)
        output.writeIfPresent(self.maybeInt64)
        output.writeIfPresent(self.maybeUInt)
        output.writeIfPresent(self.maybeUInt8)
        output.writeIfPresent(self.maybeUInt16)
        output.writeIfPresent(self.maybeUInt32)
        output.writeIfPresent(self.maybeUInt64)
        output.writeIfPresent(self.maybeDate)
        try output.write(self.level)
        output.writeCount(self.tags.count)
        for tag in self.tags {
            output.write(tag)
        }
        try output.writeArray(self.leaves)
        try output.write(self.leaf)
        try output.writeIfPresent(self.maybeLeaf)
        try output.write(self.post)
        try output.writeIfPresent(self.maybePost)
        output.writeBytes(self.bytes)
        output.writeBytes(self.buffer)
        try output.write(self.data)
        try output.write(self.grid)
    }

    init(binaryPayload input: inout BinaryPayloadInput) throws {
        self.bool = try input.read(Bool.self)
        self.string = try input.read(String.self)
        self.double = try input.read(Double.self)
        self.float = try input.read(Float.self)
        self.int = try input.read(Int.self)
        self.int8 = try input.read(Int8.self)
        self.int16 = try input.read(Int16.self)
        self.int32 = try input.read(Int32.self)
        self.int64 = try input.read(Int64.self)
        self.uint = try input.read(UInt.self)
        self.uint8 = try input.read(UInt8.self)
        self.uint16 = try input.read(UInt16.self)
        self.uint32 = try input.read(UInt32.self)
        self.uint64 = try input.read(UInt64.self)
        self.date = try input.read(Date.self)
        self.maybeBool = try input.readIfPresent(Bool.self)
        self.maybeString = try input.readIfPresent(String.self)
        self.maybeDouble = try input.readIfPresent(Double.self)
        self.maybeFloat = try input.readIfPresent(Float.self)
        self.maybeInt = try input.readIfPresent(Int.self)
        self.maybeInt8 = try input.readIfPresent(Int8.self)
        self.maybeInt16 = try input.readIfPresent(Int16.self)
        self.maybeInt32 = try input.readIfPresent(Int32.self)
        self.maybeInt64 = try input.readIfPresent(Int64.self)
        self.maybeUInt = try input.readIfPresent(UInt.self)
        self.maybeUInt8 = try input.readIfPresent(UInt8.self)
        self.maybeUInt16 = try input.readIfPresent(UInt16.self)
        self.maybeUInt32 = try input.readIfPresent(UInt32.self)
        self.maybeUInt64 = try input.readIfPresent(UInt64.self)
        self.maybeDate = try input.readIfPresent(Date.self)
        self.level = try input.read(FastLevel.self)
        let tagCount = try input.readCount()
        self.tags = []
        self.tags.reserveCapacity(min(tagCount, 16))
        for _ in 0..<tagCount {
            self.tags.append(try input.read(String.self))
        }
        self.leaves = try input.readArray(of: FastLeaf.self)
        self.leaf = try input.read(FastLeaf.self)
        self.maybeLeaf = try input.readIfPresent(FastLeaf.self)
        self.post = try input.read(SamplePost.self)
        self.maybePost = try input.readIfPresent(SamplePost.self)
        self.bytes = try input.readBytes()
        self.buffer = try input.readByteBuffer()
        self.data = try input.read(Data.self)
        self.grid = try input.read([[Int]].self)
    }
}
