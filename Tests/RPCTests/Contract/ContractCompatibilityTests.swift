import RPC
import XCTest

/// The evolution rules over a corpus of edits to one contract: every incompatible edit is
/// caught, naming the method or field, and no compatible one is.
final class ContractCompatibilityTests: XCTestCase {
    static let base = """
        method notes.add v1 request NewNote response Note errors alreadyExists
        method notes.get v1 idempotent request NoteID response Note errors notFound

        message Author
          1 name string required
          retired 2

        message NewNote
          1 text string required
          2 tags string repeated
          3 color Color optional

        message Note
          1 id int64 required
          2 text string required
          3 pinnedAt timestamp optional
          4 author Author optional
          5 views uint32 defaulted

        message NoteID
          1 id int64 required

        enum Color fallback unknown
          0 unknown
          1 red
          2 blue

        """

    struct Edit: Sendable {
        var name: String
        var apply: @Sendable (String) -> String
        /// nil when compatible; otherwise a word the problem must contain.
        var caughtNaming: String?
    }

    static func replacing(_ old: String, with new: String) -> @Sendable (String) -> String {
        { text in
            precondition(text.contains(old), "the base contract has no \(old)")
            return text.replacingOccurrences(of: old, with: new)
        }
    }

    static let corpus: [Edit] = [
        Edit(
            name: "append an optional field",
            apply: replacing("  5 views uint32 defaulted\n", with: "  5 views uint32 defaulted\n  6 likes int64 optional\n"),
            caughtNaming: nil),
        Edit(
            name: "append a repeated field",
            apply: replacing("  3 color Color optional\n", with: "  3 color Color optional\n  4 links string repeated\n"), caughtNaming: nil
        ),
        Edit(
            name: "append a field with a default",
            apply: replacing("  1 id int64 required\n\nenum", with: "  1 id int64 required\n  2 shard uint32 defaulted\n\nenum"),
            caughtNaming: nil),
        Edit(
            name: "append a required field",
            apply: replacing("  5 views uint32 defaulted\n", with: "  5 views uint32 defaulted\n  6 likes int64 required\n"),
            caughtNaming: "likes"),
        Edit(
            name: "reorder fields keeping their tags",
            apply: replacing(
                "  1 id int64 required\n  2 text string required\n", with: "  2 text string required\n  1 id int64 required\n"),
            caughtNaming: "does not follow"),
        Edit(
            name: "swap two fields of one type",
            apply: replacing(
                "  1 text string required\n  2 tags string repeated\n", with: "  1 tags string required\n  2 text string repeated\n"),
            caughtNaming: "renamed"),
        Edit(
            name: "rename a field",
            apply: replacing("  2 text string required\n  3 pinnedAt", with: "  2 body string required\n  3 pinnedAt"),
            caughtNaming: "text (2)"),
        Edit(
            name: "change a field's type", apply: replacing("  3 pinnedAt timestamp optional", with: "  3 pinnedAt string optional"),
            caughtNaming: "pinnedAt"),
        Edit(
            name: "change signedness", apply: replacing("  5 views uint32 defaulted", with: "  5 views int32 defaulted"),
            caughtNaming: "views"),
        Edit(
            name: "change width", apply: replacing("message NoteID\n  1 id int64 required", with: "message NoteID\n  1 id int32 required"),
            caughtNaming: "id (1)"),
        Edit(
            name: "Optional becomes Array", apply: replacing("  3 color Color optional", with: "  3 color Color repeated"),
            caughtNaming: "color"),
        Edit(
            name: "Array becomes Optional", apply: replacing("  2 tags string repeated", with: "  2 tags string optional"),
            caughtNaming: "tags"),
        Edit(
            name: "required becomes optional", apply: replacing("  1 name string required", with: "  1 name string optional"),
            caughtNaming: "name"),
        Edit(
            name: "optional becomes required", apply: replacing("  3 pinnedAt timestamp optional", with: "  3 pinnedAt timestamp required"),
            caughtNaming: "pinnedAt"),
        Edit(
            name: "required gains a default",
            apply: replacing("  2 text string required\n  3 pinnedAt", with: "  2 text string defaulted\n  3 pinnedAt"), caughtNaming: nil),
        Edit(name: "remove an optional field", apply: replacing("  3 pinnedAt timestamp optional\n", with: ""), caughtNaming: nil),
        Edit(
            name: "remove a required field", apply: replacing("  2 text string required\n  3 pinnedAt", with: "  3 pinnedAt"),
            caughtNaming: "text"),
        Edit(
            name: "reuse a retired tag",
            apply: replacing("  1 name string required\n", with: "  1 name string required\n  2 email string optional\n"),
            caughtNaming: "retired"),
        Edit(
            name: "change a nested message's field", apply: replacing("  1 name string required", with: "  1 name bytes required"),
            caughtNaming: "author (4) field name"),
        Edit(name: "append an enum case", apply: replacing("  2 blue\n", with: "  2 blue\n  3 green\n"), caughtNaming: nil),
        Edit(name: "remove an enum case", apply: replacing("  2 blue\n", with: ""), caughtNaming: "blue"),
        Edit(name: "renumber an enum case", apply: replacing("  2 blue\n", with: "  3 blue\n"), caughtNaming: "blue"),
        Edit(name: "rename an enum case", apply: replacing("  2 blue\n", with: "  2 navy\n"), caughtNaming: "navy"),
        Edit(name: "change the enum fallback", apply: replacing("fallback unknown", with: "fallback red"), caughtNaming: "falls back"),
        Edit(
            name: "remove a method", apply: replacing("method notes.add v1 request NewNote response Note errors alreadyExists\n", with: ""),
            caughtNaming: "notes.add"),
        Edit(
            name: "add a method",
            apply: replacing("method notes.get", with: "method notes.list v1 idempotent request NoteID response Note\nmethod notes.get"),
            caughtNaming: nil),
        Edit(
            name: "a method answers a new status", apply: replacing("errors notFound", with: "errors notFound,permissionDenied"),
            caughtNaming: "permissionDenied"),
        Edit(name: "a method stops answering a status", apply: replacing(" errors alreadyExists", with: ""), caughtNaming: nil),
        Edit(
            name: "a method becomes idempotent",
            apply: replacing("method notes.add v1 request", with: "method notes.add v1 idempotent request"), caughtNaming: nil),
        Edit(
            name: "a method's version is raised", apply: replacing("method notes.get v1", with: "method notes.get v2"),
            caughtNaming: "notes.get"),
        Edit(name: "rename a message type", apply: { $0.replacingOccurrences(of: "NoteID", with: "NoteKey") }, caughtNaming: nil),
        Edit(
            name: "a method takes another request type", apply: replacing("request NoteID response", with: "request Author response"),
            caughtNaming: "name"),
    ]

    func testEveryIncompatibleEditIsCaughtAndNoCompatibleOne() throws {
        XCTAssertGreaterThanOrEqual(Self.corpus.count, 20)
        let base = try WireContract(text: Self.base)
        XCTAssertEqual(base.problems(comparedWith: base), [])
        for edit in Self.corpus {
            let edited = try WireContract(text: edit.apply(Self.base))
            let problems = edited.problems(comparedWith: base)
            if let word = edit.caughtNaming {
                XCTAssertFalse(problems.isEmpty, "\(edit.name): not caught")
                XCTAssertTrue(problems.contains { $0.contains(word) }, "\(edit.name): \(problems) does not name \(word)")
            } else {
                XCTAssertEqual(problems, [], "\(edit.name): a compatible edit was refused")
            }
        }
    }

    func testTheTextFormReadsBackWhatItWrites() throws {
        let base = try WireContract(text: Self.base)
        XCTAssertEqual(try WireContract(text: base.rendered(header: ["a comment"])), base)
        XCTAssertEqual(base.rendered(), Self.base)
        XCTAssertThrowsError(try WireContract(text: "message A\n  1 x strnig required\n")) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
        XCTAssertThrowsError(try WireContract(text: "method a v1 request A\n"))
        XCTAssertThrowsError(try WireContract(text: "method a v1 request A response B errors sometimes\n"))
    }

    func testRemovedFieldsAreRetiredWhenTheFileIsUpdated() throws {
        let base = try WireContract(text: Self.base)
        let withoutPinnedAt = try WireContract(text: Self.base.replacingOccurrences(of: "  3 pinnedAt timestamp optional\n", with: ""))
        let next = withoutPinnedAt.retiring(from: base)
        XCTAssertEqual(next.retiredTags["Note"], [3])
        XCTAssertEqual(next.retiredTags["Author"], [2])
        let reusing = try WireContract(
            text: next.rendered().replacingOccurrences(of: "  4 author", with: "  3 pinnedAt string optional\n  4 author"))
        XCTAssertTrue(reusing.problems(comparedWith: next).contains { $0.contains("retired") })
    }

    func testACommittedFileIsCheckedAndOnlyRewrittenOnRequest() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString).contract").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let base = try WireContract(text: Self.base)
        XCTAssertEqual(try base.checkCommitted(at: path, header: [], update: false), .missing)
        XCTAssertEqual(try base.checkCommitted(at: path, header: [], update: true), .written)
        XCTAssertEqual(try base.checkCommitted(at: path, header: [], update: false), .unchanged)

        let compatible = try WireContract(text: Self.corpus[0].apply(Self.base))
        XCTAssertEqual(try compatible.checkCommitted(at: path, header: [], update: false), .compatibleButNotRecorded)
        let incompatible = try WireContract(text: Self.corpus[3].apply(Self.base))
        guard case .incompatible(let problems) = try incompatible.checkCommitted(at: path, header: [], update: false) else {
            return XCTFail("an incompatible change passed")
        }
        XCTAssertTrue(problems.contains { $0.contains("notes.add") && $0.contains("likes") }, "\(problems)")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), base.rendered(), "a check alone must not write")
    }

    enum First {
        struct Item: WireMessage {
            var name = ""
            mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "name", &name) }
        }
    }

    enum Second {
        struct Item: WireMessage {
            var count: Int64 = 0
            mutating func wireFields(_ fields: inout WireFields) throws { try fields.field(1, "count", &count) }
        }
    }

    struct Both: WireMessage {
        var first = First.Item()
        var second = Second.Item()
        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "first", &first)
            try fields.field(2, "second", &second)
        }
    }

    /// Two types that print alike cannot both be in a contract: the check says so instead of
    /// describing one with the other's fields.
    func testTwoTypesWithOneNameAreReported() {
        XCTAssertEqual(Both.wireSchema().nameClashes, ["Item"])
        var contract = WireContract()
        contract.add(RPCMethod<First.Item, Second.Item>(name: "clash.call", isIdempotent: true))
        XCTAssertTrue(
            contract.declarationProblems.contains { $0.hasPrefix("Item: two different types") }, "\(contract.declarationProblems)")
    }
}
