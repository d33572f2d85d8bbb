import Foundation
import NIOCore
import RPC
import XCTest

/// What `wireSchema()` records of a message and every type it reaches, the shape
/// `rpc describe` prints from it, and the declaration rules it checks.
final class WireSchemaTests: XCTestCase {
    private enum Kind: Int32, WireEnum {
        case unknown = 0
        case note = 1
        case link = 7

        static var unknownCase: Kind { .unknown }
    }

    private struct Author: WireMessage, Equatable {
        var name = ""
        var karma: Int32 = 0

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "name", &name)
            try fields.field(2, "karma", &karma)
        }
    }

    private struct Post: WireMessage, Equatable {
        var id: Int64 = 0
        var author = Author()
        var tags: [String] = []
        var kind = Kind.note
        var score: Double?
        var editor: Author?
        var body = ByteBuffer()
        var at = Date(timeIntervalSinceReferenceDate: 0)
        var views: UInt64 = 0
        var flags: [Bool] = []
        var ratio: Float = 0
        var rank: UInt32 = 0
        var count = 0

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "id", &id)
            try fields.field(2, "author", &author)
            try fields.field(3, "tags", &tags)
            try fields.field(4, "kind", &kind)
            try fields.field(5, "score", &score)
            try fields.field(6, "editor", &editor)
            try fields.field(7, "body", &body)
            try fields.field(8, "at", &at)
            try fields.field(9, "views", &views, required: false)
            try fields.field(10, "flags", &flags)
            try fields.field(11, "ratio", &ratio)
            try fields.field(12, "rank", &rank)
            try fields.field(13, "count", &count)
        }
    }

    private struct Page<Item: WireMessage>: WireMessage {
        var items: [Item] = []
        var next: String?

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "items", &items)
            try fields.field(2, "next", &next)
        }
    }

    /// Two pages of different items in one message: two message types.
    private struct Feed: WireMessage {
        var posts = Page<Post>()
        var authors = Page<Author>()

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "posts", &posts)
            try fields.field(2, "authors", &authors)
        }
    }

    /// Recursive through another type.
    private struct Folder: WireMessage {
        var name = ""
        var entries: [Entry] = []

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "name", &name)
            try fields.field(2, "entries", &entries)
        }
    }

    private struct Entry: WireMessage {
        var folder: Folder?
        var size: Int64?

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "folder", &folder)
            try fields.field(2, "size", &size)
        }
    }

    private struct Empty: WireMessage {
        mutating func wireFields(_ fields: inout WireFields) throws {}
    }

    private struct Misdeclared: WireMessage {
        var a = 0
        var b = 0
        var c = 0
        var d = 0
        var e = 0

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(2, "a", &a)
            try fields.field(1, "b", &b)
            try fields.field(3, "c", &c)
            try fields.field(3, "d", &d)
            try fields.field(4, "a", &e)
        }
    }

    // MARK: Schemas

    func testAMessageAndEverythingItReaches() {
        let schema = Post.wireSchema()
        XCTAssertEqual(schema.root, .message("Post"))
        XCTAssertEqual(Set(schema.messages.keys), ["Post", "Author"])
        XCTAssertEqual(Set(schema.enums.keys), ["Kind"])
        XCTAssertEqual(
            schema.rootMessage?.fields,
            [
                WireFieldSchema(tag: 1, name: "id", type: .int64, presence: .required),
                WireFieldSchema(tag: 2, name: "author", type: .message("Author"), presence: .required),
                WireFieldSchema(tag: 3, name: "tags", type: .string, presence: .repeated),
                WireFieldSchema(tag: 4, name: "kind", type: .enumeration("Kind"), presence: .required),
                WireFieldSchema(tag: 5, name: "score", type: .double, presence: .optional),
                WireFieldSchema(tag: 6, name: "editor", type: .message("Author"), presence: .optional),
                WireFieldSchema(tag: 7, name: "body", type: .bytes, presence: .required),
                WireFieldSchema(tag: 8, name: "at", type: .timestamp, presence: .required),
                WireFieldSchema(tag: 9, name: "views", type: .uint64, presence: .defaulted),
                WireFieldSchema(tag: 10, name: "flags", type: .bool, presence: .repeated),
                WireFieldSchema(tag: 11, name: "ratio", type: .float, presence: .required),
                WireFieldSchema(tag: 12, name: "rank", type: .uint32, presence: .required),
                WireFieldSchema(tag: 13, name: "count", type: .int64, presence: .required),
            ])
        XCTAssertEqual(
            schema.messages["Author"],
            WireMessageSchema(
                name: "Author",
                fields: [
                    WireFieldSchema(tag: 1, name: "name", type: .string, presence: .required),
                    WireFieldSchema(tag: 2, name: "karma", type: .int32, presence: .required),
                ]))
        XCTAssertEqual(
            schema.enums["Kind"],
            WireEnumSchema(
                name: "Kind", cases: [.init(name: "unknown", number: 0), .init(name: "note", number: 1), .init(name: "link", number: 7)],
                unknownCase: "unknown"))
        XCTAssertEqual(schema.rootMessage?.declarationProblems, [])
    }

    func testRecursiveTypesAreRecordedOnce() {
        let tree = WireTree.wireSchema()
        XCTAssertEqual(tree.messages.count, 1)
        XCTAssertEqual(
            tree.rootMessage?.fields,
            [
                WireFieldSchema(tag: 1, name: "name", type: .string, presence: .required),
                WireFieldSchema(tag: 2, name: "children", type: .message("WireTree"), presence: .repeated),
            ])
        let folder = Folder.wireSchema()
        XCTAssertEqual(Set(folder.messages.keys), ["Folder", "Entry"])
        XCTAssertEqual(
            folder.messages["Entry"]?.fields.first, WireFieldSchema(tag: 1, name: "folder", type: .message("Folder"), presence: .optional))
        XCTAssertEqual(Entry.wireSchema().root, .message("Entry"))
        XCTAssertEqual(Entry.wireSchema().messages, folder.messages)
    }

    func testGenericMessagesAreNamedWithTheirArguments() {
        let schema = Feed.wireSchema()
        XCTAssertEqual(Set(schema.messages.keys), ["Feed", "Page<Post>", "Page<Author>", "Post", "Author"])
        XCTAssertEqual(schema.messages["Page<Post>"]?.fields.first?.type, .message("Post"))
        XCTAssertEqual(schema.messages["Page<Author>"]?.fields.first?.type, .message("Author"))
        XCTAssertEqual(schema.messages["Feed"]?.fields.map(\.type), [.message("Page<Post>"), .message("Page<Author>")])
    }

    func testAMessageWithoutFields() {
        XCTAssertEqual(Empty.wireSchema().rootMessage, WireMessageSchema(name: "Empty", fields: []))
        XCTAssertEqual(HealthRequest.wireSchema().renderedShape(), "{}")
    }

    func testTypeDescriptions() {
        let types: [WireValueType] = [
            .bool, .int32, .int64, .uint32, .uint64, .float, .double, .string, .bytes, .timestamp, .message("M"), .enumeration("E"),
        ]
        XCTAssertEqual(
            types.map(\.description),
            ["bool", "int32", "int64", "uint32", "uint64", "float", "double", "string", "bytes", "timestamp", "M", "E"])
    }

    // MARK: Shapes

    func testShapesFollowTheJSONForm() {
        XCTAssertEqual(
            Post.wireSchema().renderedShape(),
            """
            {
              "id": int64,
              "author": {
                "name": string,
                "karma": int32
              },
              "tags": [string],
              "kind": "unknown" | "note" | "link",
              "score": double | null,
              "editor": {
                "name": string,
                "karma": int32
              } | null,
              "body": bytes,
              "at": date-time,
              "views": uint64,
              "flags": [bool],
              "ratio": float,
              "rank": uint32,
              "count": int64
            }
            """)
        XCTAssertEqual(
            Page<Author>.wireSchema().renderedShape(),
            """
            {
              "items": [{
                "name": string,
                "karma": int32
              }],
              "next": string | null
            }
            """)
    }

    func testRecursiveShapesStopAtTheRepeat() {
        XCTAssertEqual(
            WireTree.wireSchema().renderedShape(),
            """
            {
              "name": string,
              "children": […]
            }
            """)
        XCTAssertEqual(
            Folder.wireSchema().renderedShape(),
            """
            {
              "name": string,
              "entries": [{
                "folder": … | null,
                "size": int64 | null
              }]
            }
            """)
    }

    // MARK: Declaration rules

    func testDeclarationProblemsNameEachBrokenRule() {
        XCTAssertEqual(
            Misdeclared.wireSchema().rootMessage?.declarationProblems,
            [
                "Misdeclared.b: tag 1 does not follow 2",
                "Misdeclared.d: tag 3 does not follow 3",
                "Misdeclared.a: the name is used twice",
            ])
        let outOfRange = WireMessageSchema(
            name: "M",
            fields: [
                WireFieldSchema(tag: 0, name: "zero", type: .bool, presence: .required),
                WireFieldSchema(tag: WireLimits.maxTag, name: "highest", type: .bool, presence: .optional),
                WireFieldSchema(tag: WireLimits.maxTag + 1, name: "beyond", type: .bool, presence: .optional),
            ])
        XCTAssertEqual(
            outOfRange.declarationProblems,
            [
                "M.zero: tag 0 is out of range",
                "M.zero: tag 0 does not follow 0",
                "M.beyond: tag 536870912 is out of range",
            ])
    }

    func testAWellDeclaredSchemaHasNoProblems() {
        for schema in [Post.wireSchema(), Feed.wireSchema(), Folder.wireSchema(), WireTree.wireSchema(), MethodList.wireSchema()] {
            for message in schema.messages.values {
                XCTAssertEqual(message.declarationProblems, [], message.name)
            }
        }
    }
}
