import Foundation
import NIOCore
import RPC
import XCTest

func binaryBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
    var buffer = ByteBuffer()
    try BinaryPayloadEncoder().encode(value, into: &buffer)
    return Array(buffer.readableBytesView)
}

func binaryDecode<T: Decodable>(
    _ type: T.Type,
    _ bytes: [UInt8],
    limits: BinaryPayloadDecoder.Limits = .default
) throws -> T {
    var buffer = ByteBuffer(bytes: bytes)
    return try BinaryPayloadDecoder(limits: limits).decode(type, from: &buffer)
}

func binaryRoundTrip<T: Codable>(_ value: T) throws -> T {
    try binaryDecode(T.self, binaryBytes(value))
}

func assertBinaryRoundTrip<T: Codable & Equatable>(
    _ value: T,
    file: StaticString = #filePath,
    line: UInt = #line
) {
    XCTAssertEqual(try binaryRoundTrip(value), value, file: file, line: line)
}

/// Asserts that decoding `bytes` throws a `DecodingError` whose description mentions `problem`.
func assertBinaryRejects<T: Decodable>(
    _ type: T.Type,
    _ bytes: [UInt8],
    mentioning problem: String,
    limits: BinaryPayloadDecoder.Limits = .default,
    file: StaticString = #filePath,
    line: UInt = #line
) {
    XCTAssertThrowsError(try binaryDecode(type, bytes, limits: limits), file: file, line: line) { error in
        guard case .dataCorrupted(let context) = error as? DecodingError else {
            return XCTFail("expected DecodingError.dataCorrupted, got \(error)", file: file, line: line)
        }
        XCTAssertTrue(
            context.debugDescription.contains(problem),
            "\"\(context.debugDescription)\" does not mention \"\(problem)\"",
            file: file,
            line: line
        )
    }
}

/// SplitMix64: tiny, fast, and the same sequence on every platform for a given seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: Models

struct SamplePost: Codable, Equatable {
    var id: Int
    var username: String
    var text: String
    var referencedUsername: String?
    var createdAt: Date
}

struct AllIntegers: Codable, Equatable {
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

    static let min = AllIntegers(
        int: .min, int8: .min, int16: .min, int32: .min, int64: .min,
        uint: .min, uint8: .min, uint16: .min, uint32: .min, uint64: .min
    )
    static let max = AllIntegers(
        int: .max, int8: .max, int16: .max, int32: .max, int64: .max,
        uint: .max, uint8: .max, uint16: .max, uint32: .max, uint64: .max
    )
}

/// Every primitive as an optional, so that nil and present can be tried at each position.
struct AllOptionals: Codable, Equatable {
    var bool: Bool?
    var string: String?
    var double: Double?
    var float: Float?
    var int: Int?
    var int8: Int8?
    var int16: Int16?
    var int32: Int32?
    var int64: Int64?
    var uint: UInt?
    var uint8: UInt8?
    var uint16: UInt16?
    var uint32: UInt32?
    var uint64: UInt64?
    var nested: SamplePost?
    var list: [Int]?
}

enum PostVisibility: String, Codable, Equatable {
    case everyone
    case followers
}

enum PostPriority: Int, Codable, Equatable {
    case low = -1
    case high = 300
}

struct SampleTimeline: Codable, Equatable {
    var owner: String
    var visibility: PostVisibility
    var priority: PostPriority
    var posts: [SamplePost]
    var pinned: SamplePost?
    var cursors: [Int?]
    var labels: [String?]
    var empty: [SamplePost]
    var grid: [[Int]]
    var counts: [String: Int]
    var names: [Int: String]
    var groups: [String: [Int]]
    var tags: Set<String>
    var avatar: Data
    var digest: [UInt8]
    var body: ByteBuffer
}

struct TreeNode: Codable, Equatable {
    var name: String
    var children: [TreeNode]
}

struct NoFields: Codable, Equatable {}

/// Hand-written coding that mirrors itself through nested and unkeyed containers.
struct HandWrittenCoding: Codable, Equatable {
    var values: [Int16]
    var point: (x: Double, y: Double)
    var note: String?

    private enum CodingKeys: String, CodingKey { case values, point, note }
    private enum PointKeys: String, CodingKey { case x, y }

    init(values: [Int16], point: (x: Double, y: Double), note: String?) {
        self.values = values
        self.point = point
        self.note = note
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var values = container.nestedUnkeyedContainer(forKey: .values)
        for value in self.values {
            try values.encode(value)
        }
        var point = container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
        try point.encode(self.point.x, forKey: .x)
        try point.encode(self.point.y, forKey: .y)
        // Pairs with `decodeNil(forKey:)` below: both go through the presence byte.
        try container.encodeIfPresent(self.note, forKey: .note)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var values = try container.nestedUnkeyedContainer(forKey: .values)
        self.values = []
        while !values.isAtEnd {
            self.values.append(try values.decode(Int16.self))
        }
        let point = try container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
        self.point = (try point.decode(Double.self, forKey: .x), try point.decode(Double.self, forKey: .y))
        self.note = try container.decodeNil(forKey: .note) ? nil : try container.decode(String.self, forKey: .note)
    }

    static func == (lhs: HandWrittenCoding, rhs: HandWrittenCoding) -> Bool {
        lhs.values == rhs.values && lhs.point == rhs.point && lhs.note == rhs.note
    }
}

extension SamplePost {
    static let sample = SamplePost(
        id: 42,
        username: "ada",
        text: "Hello, 世界 👋",
        referencedUsername: "grace",
        createdAt: Date(timeIntervalSinceReferenceDate: 760_000_000.125)
    )
}

extension SampleTimeline {
    static let sample = SampleTimeline(
        owner: "ada",
        visibility: .followers,
        priority: .high,
        posts: [
            .sample,
            SamplePost(id: -7, username: "", text: "", referencedUsername: nil, createdAt: Date(timeIntervalSinceReferenceDate: 0)),
        ],
        pinned: .sample,
        cursors: [1, nil, -3],
        labels: [nil, "x", ""],
        empty: [],
        grid: [[], [1], [2, 3]],
        counts: ["a": 1, "b": -2],
        names: [1: "one", -2: "minus two"],
        groups: ["odd": [1, 3], "none": []],
        tags: ["swift", "nio"],
        avatar: Data([0, 1, 2, 255]),
        digest: [9, 8, 7],
        body: ByteBuffer(string: "body bytes")
    )
}
