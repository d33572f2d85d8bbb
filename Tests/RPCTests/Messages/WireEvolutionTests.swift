import Foundation
import NIOCore
import RPC
import XCTest

/// Two versions of the same messages, as a peer of the previous release and one of the next
/// see them: what may change without breaking either, and what is refused rather than
/// misread.
final class WireEvolutionTests: XCTestCase {
    // MARK: Version 1

    private enum V1 {
        enum Kind: Int32, WireEnum {
            case unknown = 0
            case note = 1
            case photo = 2

            static var unknownCase: Kind { .unknown }
        }

        struct Author: WireMessage, Equatable {
            var name = ""
            mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "name", &name) }
        }

        struct Post: WireMessage, Equatable {
            var id: Int64 = 0
            var text = ""
            var kind = Kind.note
            var author = Author()
            var kinds: [Kind] = []

            mutating func wireFields(_ fields: inout WireFields) throws {
                try fields.field(2, "id", &id)
                try fields.field(4, "text", &text)
                try fields.field(6, "kind", &kind)
                try fields.field(8, "author", &author)
                try fields.field(10, "kinds", &kinds)
            }
        }

        struct Thread: WireMessage, Equatable {
            var post = Post()
            var replies: [Post] = []
            var count: Int32 = 0
            var size: UInt32 = 0
            var label: String?
            var tag = ""

            mutating func wireFields(_ fields: inout WireFields) throws {
                try fields.field(1, "post", &post)
                try fields.field(2, "replies", &replies)
                try fields.field(3, "count", &count)
                try fields.field(4, "size", &size)
                try fields.field(5, "label", &label)
                try fields.field(6, "tag", &tag)
            }
        }
    }

    // MARK: Version 2: fields added around and after every old one, an enum case appended

    private enum V2 {
        enum Kind: Int32, WireEnum {
            case unknown = 0
            case note = 1
            case photo = 2
            case video = 3

            static var unknownCase: Kind { .unknown }
        }

        struct Author: WireMessage, Equatable {
            var name = ""
            var avatar: ByteBuffer?
            mutating func wireFields(_ fields: inout WireFields) throws {
                try fields.field(1, "name", &name)
                try fields.field(2, "avatar", &avatar)
            }
        }

        /// What a newer peer adds: every wire type, a nested message with its own nesting.
        struct Extra: WireMessage, Equatable {
            var note = ""
            var author = Author()
            var children: [Extra] = []
            mutating func wireFields(_ fields: inout WireFields) throws {
                try fields.field(1, "note", &note)
                try fields.field(2, "author", &author)
                try fields.field(3, "children", &children)
            }
        }

        struct Post: WireMessage, Equatable {
            var ratio: Float?  // 1: fixed32, before the first old field
            var id: Int64 = 0
            var extra: Extra?  // 3: a nested message between old fields
            var text = ""
            var score = 7.5  // 5: fixed64, `required: false`
            var kind = Kind.note
            var likes: [Int64] = []  // 7: repeated varint
            var author = Author()
            var title: String?  // 9: length-delimited
            var kinds: [Kind] = []
            var weights: [Float] = []  // 11: after the last old field
            var at: Date?  // 12
            var flags: [Bool] = []  // 1000: far after

            mutating func wireFields(_ fields: inout WireFields) throws {
                try fields.field(1, "ratio", &ratio)
                try fields.field(2, "id", &id)
                try fields.field(3, "extra", &extra)
                try fields.field(4, "text", &text)
                try fields.field(5, "score", &score, required: false)
                try fields.field(6, "kind", &kind)
                try fields.field(7, "likes", &likes)
                try fields.field(8, "author", &author)
                try fields.field(9, "title", &title)
                try fields.field(10, "kinds", &kinds)
                try fields.field(11, "weights", &weights)
                try fields.field(12, "at", &at)
                try fields.field(1_000, "flags", &flags)
            }

            static let full = Post(
                ratio: 0.25, id: 42, extra: Extra(note: "new", author: Author(name: "x"), children: [Extra(), Extra(note: "deeper")]),
                text: "hello", score: -1, kind: .video, likes: [1, -2, 300],
                author: Author(name: "ada", avatar: ByteBuffer(bytes: [1, 2])),
                title: "title", kinds: [.note, .video, .photo], weights: [1, 2], at: Date(timeIntervalSince1970: 1),
                flags: [true, false])
        }

        /// V1's thread with every field widened or relaxed the compatible way.
        struct Thread: WireMessage, Equatable {
            var post = Post()
            var replies: [Post] = []
            var count: Int64 = 0  // was Int32
            var size: UInt64 = 0  // was UInt32
            var label = ""  // was optional
            var tags: [String] = []  // was singular

            mutating func wireFields(_ fields: inout WireFields) throws {
                try fields.field(1, "post", &post)
                try fields.field(2, "replies", &replies)
                try fields.field(3, "count", &count)
                try fields.field(4, "size", &size)
                try fields.field(5, "label", &label, required: false)
                try fields.field(6, "tags", &tags)
            }
        }
    }

    // MARK: Incompatible versions

    /// V1's post with a new required field: refuses what V1 sends.
    private struct PostWithRequiredOwner: WireMessage, Equatable {
        var id: Int64 = 0
        var text = ""
        var owner = ""

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(2, "id", &id)
            try fields.field(4, "text", &text)
            try fields.field(5, "owner", &owner)
        }
    }

    private struct ThreadWithRequiredOwner: WireMessage, Equatable {
        var post = PostWithRequiredOwner()
        var replies: [PostWithRequiredOwner] = []

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "post", &post)
            try fields.field(2, "replies", &replies)
        }
    }

    /// V1's post with `text` (4) changed from a string to an integer, and `id` (2) the other
    /// way round.
    private struct PostWithChangedTypes: WireMessage {
        var id = ""
        var text: Int64 = 0

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(2, "id", &id, required: false)
            try fields.field(4, "text", &text, required: false)
        }
    }

    /// V2's thread narrowed back: `count` is an Int32 again, `tags` singular.
    private struct NarrowThread: WireMessage, Equatable {
        var count: Int32?
        var tag: String?

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(3, "count", &count)
            try fields.field(6, "tag", &tag)
        }
    }

    private let v1Post = V1.Post(id: 42, text: "hello", kind: .photo, author: V1.Author(name: "ada"), kinds: [.note, .photo])

    // MARK: Adding fields

    func testTheNewVersionReadsTheOldOneWithDefaults() throws {
        let post = try wireDecode(V2.Post.self, wireBytes(v1Post))
        XCTAssertEqual(
            post, V2.Post(id: 42, text: "hello", kind: .photo, author: V2.Author(name: "ada"), kinds: [.note, .photo]))
        XCTAssertNil(post.ratio)
        XCTAssertNil(post.title)
        XCTAssertEqual(post.likes, [])
        XCTAssertEqual(post.score, 7.5, "a `required: false` field keeps what init() gave it")

        let thread = V1.Thread(post: v1Post, replies: [v1Post, V1.Post()], count: 3, size: 4, label: nil, tag: "t")
        let decoded = try wireDecode(V2.Thread.self, wireBytes(thread))
        XCTAssertEqual(decoded.post.id, 42)
        XCTAssertEqual(decoded.replies.map(\.text), ["hello", ""])
        XCTAssertEqual(decoded.replies.map(\.score), [7.5, 7.5])
    }

    func testTheOldVersionSkipsEveryKindOfNewField() throws {
        let bytes = try wireBytes(V2.Post.full)
        let post = try wireDecode(V1.Post.self, bytes)
        XCTAssertEqual(
            post, V1.Post(id: 42, text: "hello", kind: .unknown, author: V1.Author(name: "ada"), kinds: [.note, .unknown, .photo]))
        // Unknown fields are dropped, not kept: re-encoding writes only what this version knows.
        let reencoded = try wireDecode(V2.Post.self, wireBytes(post))
        XCTAssertEqual(
            reencoded, V2.Post(id: 42, text: "hello", kind: .unknown, author: V2.Author(name: "ada"), kinds: [.note, .unknown, .photo]))
    }

    func testUnknownFieldsOfEveryWireTypeAtEveryPosition() throws {
        // Hand-made: unknown fields before, between and after the known ones (2, 4, 6, 8 and
        // 10), with all four wire types, an unknown nested message holding nested messages of
        // its own, and the largest tag.
        let unknownNested = lengthDelimited(7, lengthDelimited(1, Array("x".utf8)) + lengthDelimited(2, lengthDelimited(2, [0x08, 0x01])))
        let unknowns: [[UInt8]] = [
            fieldKey(1, .fixed32) + [1, 2, 3, 4],
            fieldKey(3, .varint) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
            fieldKey(5, .fixed64) + [1, 2, 3, 4, 5, 6, 7, 8],
            unknownNested,
            fieldKey(9, .lengthDelimited) + [0x00],
            fieldKey(11, .fixed32) + [0, 0, 0, 0] + fieldKey(12, .varint) + [0x00],
            fieldKey(WireLimits.maxTag, .lengthDelimited) + [0x02, 0xFF, 0xFE],
        ]
        let known = try wireBytes(v1Post)
        XCTAssertEqual(try wireDecode(V1.Post.self, splice(known, adding: unknowns)), v1Post)
        for unknown in unknowns {
            XCTAssertEqual(try wireDecode(V1.Post.self, splice(known, adding: [unknown])), v1Post, "\(unknown)")
        }
    }

    /// A repeated field the old version does not know arrives as consecutive entries with
    /// one tag: all of them are skipped, between known fields and after the last one.
    func testUnknownRepeatedFieldsAreSkipped() throws {
        let known = try wireBytes(v1Post)
        let varints = [UInt8]([0x18, 0x01, 0x18, 0x02, 0x18, 0x03])  // field 3, three entries
        let strings = lengthDelimited(12, [0x61]) + lengthDelimited(12, []) + lengthDelimited(12, [0x0A, 0x00])
        let floats = fieldKey(1_000, .fixed32) + [0, 0, 0, 0] + fieldKey(1_000, .fixed32) + [1, 1, 1, 1]
        XCTAssertEqual(try wireDecode(V1.Post.self, splice(known, adding: [varints])), v1Post)
        XCTAssertEqual(try wireDecode(V1.Post.self, splice(known, adding: [strings])), v1Post)
        XCTAssertEqual(try wireDecode(V1.Post.self, splice(known, adding: [varints, strings, floats])), v1Post)
        // Inside a nested message, and in each element of a repeated one.
        let thread = V1.Thread(post: v1Post, replies: [v1Post, v1Post])
        let post = try splice(known, adding: [varints, floats])
        let threadBytes = try splitFields(wireBytes(thread)).map { field in
            field.tag == 1 || field.tag == 2 ? lengthDelimited(field.tag, post) : field.bytes
        }.flatMap { $0 }
        XCTAssertEqual(try wireDecode(V1.Thread.self, threadBytes), thread)
    }

    func testUnknownNestedMessagesAreSkippedWithoutBeingRead() throws {
        // A nested message too deep to decode, and bytes that are no message at all, under
        // tags V1 does not know: skipped by their byte count, whatever is inside.
        let deep = lengthDelimited(3, deepTreeBytes(levels: 10_000))
        let junk = lengthDelimited(5, [0xFF, 0xFF, 0x07, 0x00])
        XCTAssertEqual(try wireDecode(V1.Post.self, splice(try wireBytes(v1Post), adding: [deep, junk])), v1Post)
    }

    func testTheOldVersionReadsNewNestedMessagesInRepeatedFields() throws {
        let thread = V2.Thread(post: .full, replies: [.full, V2.Post(), .full], count: 1, size: 2, label: "l", tags: ["t"])
        let decoded = try wireDecode(V1.Thread.self, wireBytes(thread))
        XCTAssertEqual(decoded.post.id, 42)
        XCTAssertEqual(decoded.replies.map(\.id), [42, 0, 42])
        XCTAssertEqual(decoded.replies.map(\.kind), [.unknown, .note, .unknown])
        XCTAssertEqual(decoded.count, 1)
        XCTAssertEqual(decoded.label, "l")
        XCTAssertEqual(decoded.tag, "t")
    }

    func testAnAppendedEnumCaseIsTheUnknownCaseForTheOldVersion() throws {
        var post = V2.Post()
        post.kind = .video
        post.kinds = [.video, .photo]
        let decoded = try wireDecode(V1.Post.self, wireBytes(post))
        XCTAssertEqual(decoded.kind, .unknown)
        XCTAssertEqual(decoded.kinds, [.unknown, .photo])
        // The same in JSON, where the case travels by name.
        let json = try jsonText(post)
        XCTAssertTrue(json.contains(#""kind":"video""#), json)
        XCTAssertEqual(try jsonDecode(V2.Post.self, json).kind, .video)
        XCTAssertEqual(
            try jsonDecode(V1.Post.self, #"{"id":1,"text":"","kind":"video","author":{"name":""},"kinds":["video","note"]}"#).kinds,
            [.unknown, .note])
    }

    // MARK: Changing fields compatibly

    func testWideningRelaxingAndRepeatingAFieldReadsTheOldBytes() throws {
        let old = V1.Thread(post: v1Post, count: -5, size: .max, label: "label", tag: "one")
        let new = try wireDecode(V2.Thread.self, wireBytes(old))
        XCTAssertEqual(new.count, -5)
        XCTAssertEqual(new.size, UInt64(UInt32.max))
        XCTAssertEqual(new.label, "label")
        XCTAssertEqual(new.tags, ["one"])
        // An optional field made `required: false` keeps its default when absent.
        XCTAssertEqual(try wireDecode(V2.Thread.self, wireBytes(V1.Thread(label: nil))).label, "")
    }

    func testNarrowingAFieldReadsValuesThatFitAndRefusesOthers() throws {
        XCTAssertEqual(try wireDecode(NarrowThread.self, wireBytes(V2.Thread(count: -7))).count, -7)
        assertWireRejects(
            NarrowThread.self, try wireBytes(V2.Thread(count: Int64(Int32.max) + 1)), mentioning: "count", "does not fit in Int32")
        XCTAssertEqual(try wireDecode(NarrowThread.self, wireBytes(V2.Thread(tags: ["only"]))).tag, "only")
        // Two entries cannot become one value.
        assertWireRejects(NarrowThread.self, try wireBytes(V2.Thread(tags: ["a", "b"])), mentioning: "field 6 after field 6", "repeated")
    }

    func testRenamingAFieldKeepsTheBinaryFormButNotJSON() throws {
        struct Renamed: WireMessage, Equatable {
            var name = ""
            mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "fullName", &name) }
        }
        XCTAssertEqual(try wireDecode(Renamed.self, wireBytes(V1.Author(name: "ada"))), Renamed(name: "ada"))
        assertJSONRejects(Renamed.self, try jsonText(V1.Author(name: "ada")), mentioning: "'fullName'")
    }

    // MARK: Incompatible changes are refused, not misread

    func testANewRequiredFieldRefusesTheOldVersionNamingTheField() throws {
        assertWireRejects(PostWithRequiredOwner.self, try wireBytes(v1Post), mentioning: "required field 'owner' (5) is missing")
        let thread = V1.Thread(post: v1Post, replies: [v1Post])
        assertWireRejects(ThreadWithRequiredOwner.self, try wireBytes(thread), mentioning: "post: required field 'owner' (5) is missing")
        let repliesOnly = lengthDelimited(1, try wireBytes(PostWithRequiredOwner(owner: "o"))) + lengthDelimited(2, try wireBytes(v1Post))
        assertWireRejects(ThreadWithRequiredOwner.self, repliesOnly, mentioning: "replies[0]: required field 'owner' (5) is missing")
        assertJSONRejects(PostWithRequiredOwner.self, #"{"id":1,"text":""}"#, mentioning: "required field 'owner' (5) is missing")
    }

    func testAFieldWhoseTypeChangedIsRefusedNotMisread() throws {
        // `text` was a string (length-delimited), now an integer (varint).
        assertWireRejects(PostWithChangedTypes.self, try wireBytes(v1Post), mentioning: "field 2 has wire type 0, expected 2")
        var textOnly = V1.Post()
        textOnly.text = "hello"
        let bytes = try splitFields(try wireBytes(textOnly)).filter { $0.tag == 4 }.flatMap(\.bytes)
        assertWireRejects(PostWithChangedTypes.self, bytes, mentioning: "field 4 has wire type 2, expected 0 (varint)")
        // Double where a float was: fixed64 against fixed32.
        struct FloatRatio: WireMessage {
            var ratio: Float = 0
            mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "ratio", &ratio) }
        }
        struct DoubleRatio: WireMessage {
            var ratio: Double = 0
            mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "ratio", &ratio) }
        }
        assertWireRejects(DoubleRatio.self, try wireBytes(FloatRatio(ratio: 1)), mentioning: "field 1 has wire type 5, expected 1")
        assertWireRejects(FloatRatio.self, try wireBytes(DoubleRatio(ratio: 1)), mentioning: "field 1 has wire type 1, expected 5")
        // A repeated entry of another type after a good one.
        let mixed = fieldKey(7, .varint) + [0x02] + fieldKey(7, .fixed64) + [0, 0, 0, 0, 0, 0, 0, 0]
        assertWireRejects(
            V2.Post.self, try splice(wireBytes(V2.Post()), adding: [mixed]), mentioning: "field 7 has wire type 1, expected 0")
    }

    func testARepeatedSingularFieldIsRefused() throws {
        // id twice, at the end and before another field.
        assertWireRejects(V1.Author.self, [0x0A, 0x01, 0x61, 0x0A, 0x01, 0x62], mentioning: "field 1 after field 1")
        let id = fieldKey(2, .varint) + [0x02]
        assertWireRejects(V2.Post.self, id + id + lengthDelimited(4, []), mentioning: "field 2 after field 2")
        // An unknown field repeated is refused too: entries of one field are consecutive.
        assertWireRejects(V1.Author.self, [0x0A, 0x00, 0x18, 0x01, 0x20, 0x01, 0x18, 0x01], mentioning: "field 3 after field 4")
    }

    func testFieldsOutOfOrderAreRefused() throws {
        let fields = try splitFields(wireBytes(V2.Post(ratio: 1)))
        XCTAssertEqual(fields.map(\.tag), [1, 2, 4, 5, 6, 8])
        // The optional field 1 after field 2.
        let swapped = fields[1].bytes + fields[0].bytes + fields[2...].flatMap(\.bytes)
        assertWireRejects(V2.Post.self, swapped, mentioning: "field 1 after field 2", "out of order")
        // A required field behind a later one is not found in its place: refused as missing.
        let late = fields[0].bytes + fields[2].bytes + fields[1].bytes + fields[3...].flatMap(\.bytes)
        assertWireRejects(V2.Post.self, late, mentioning: "required field 'id' (2) is missing")
        // Unknown fields out of order among themselves, after the last known field.
        assertWireRejects(
            V1.Post.self, try wireBytes(v1Post) + [0xA0, 0x01, 0x01, 0x98, 0x01, 0x01], mentioning: "field 19 after field 20")
        // Entries of a repeated field split by another field.
        let likes = try splitFields(wireBytes(V2.Post(likes: [1])))
        let split = likes.filter { $0.tag <= 8 }.flatMap(\.bytes) + [0x38, 0x04] + likes.filter { $0.tag > 8 }.flatMap(\.bytes)
        assertWireRejects(V2.Post.self, split, mentioning: "field 7 after field 8", "out of order")
    }

    func testAModelListingTagsOutOfOrderFailsToEncode() {
        struct Backwards: WireMessage {
            var a = 0
            var b = 0
            mutating func wireFields(_ fields: inout WireFields) throws {
                try fields.field(2, "b", &b)
                try fields.field(1, "a", &a)
            }
        }
        struct Twice: WireMessage {
            var a = 0
            var b: [Int] = [1]
            mutating func wireFields(_ fields: inout WireFields) throws {
                try fields.field(1, "a", &a)
                try fields.field(1, "b", &b)
            }
        }
        struct Zero: WireMessage {
            var a = ""
            mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(0, "a", &a) }
        }
        struct TooLarge: WireMessage {
            var a: Double?
            mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(WireLimits.maxTag + 1, "a", &a) }
        }
        struct Nested: WireMessage {
            var backwards: [Backwards] = [Backwards()]
            mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "backwards", &backwards) }
        }
        assertWireFormatError(try wireBytes(Backwards()), mentioning: "field 1 is written after field 2")
        assertWireFormatError(try wireBytes(Twice()), mentioning: "field 1 is written after field 1")
        assertWireFormatError(try wireBytes(Zero()), mentioning: "field 0 is written after field 0")
        assertWireFormatError(try wireBytes(TooLarge(a: 1)), mentioning: "field 536870912")
        assertWireFormatError(try wireBytes(Nested()), mentioning: "field 1 is written after field 2")
    }

    // MARK: Helpers

    /// The top-level fields of a message's bytes, each with its tag, for splicing in others.
    private func splitFields(_ bytes: [UInt8]) throws -> [(tag: UInt32, bytes: [UInt8])] {
        var fields: [(tag: UInt32, bytes: [UInt8])] = []
        var index = 0
        func readVarint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count else { throw WireFormatError("truncated") }
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        while index < bytes.count {
            let start = index
            let key = try readVarint()
            switch key & 7 {
            case 0: _ = try readVarint()
            case 1: index += 8
            case 2: index += Int(try readVarint())
            case 5: index += 4
            default: throw WireFormatError("wire type \(key & 7)")
            }
            fields.append((UInt32(key >> 3), Array(bytes[start..<index])))
        }
        return fields
    }

    /// `bytes` with the fields of `extra` spliced in by tag, each after those with its tag.
    private func splice(_ bytes: [UInt8], adding extra: [[UInt8]]) throws -> [UInt8] {
        let fields = try splitFields(bytes) + extra.flatMap { try splitFields($0) }
        return fields.enumerated().sorted { ($0.element.tag, $0.offset) < ($1.element.tag, $1.offset) }.flatMap(\.element.bytes)
    }
}
