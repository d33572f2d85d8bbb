import Foundation
import NIOCore
import RPC
import XCTest

/// The JSON form, for people and tools: member names from `wireFields`, and strict reading
/// that names what is wrong and where.
final class WireJSONTests: XCTestCase {
    private struct Item: WireMessage, Equatable {
        var id: Int64 = 0
        var label: String?

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "id", &id)
            try fields.field(2, "label", &label)
        }
    }

    private struct Profile: WireMessage, Equatable {
        var id: Int64 = 0
        var name = ""
        var nick: String?
        var joined = Date(timeIntervalSinceReferenceDate: 0)
        var avatar = ByteBuffer()
        var mood = WireMood.unknown
        var score: Double = 0
        var big: UInt64 = 0
        var tags: [String] = []
        var items: [Item] = []
        var ratio: Float = 0
        var active = false
        var best: Item?
        var small: Int32 = 0
        var level: UInt32 = 0
        var count = 0
        var seen: Date?
        var moods: [WireMood] = []

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "id", &id)
            try fields.field(2, "name", &name)
            try fields.field(3, "nick", &nick)
            try fields.field(4, "joined", &joined)
            try fields.field(5, "avatar", &avatar)
            try fields.field(6, "mood", &mood)
            try fields.field(7, "score", &score)
            try fields.field(8, "big", &big)
            try fields.field(9, "tags", &tags)
            try fields.field(10, "items", &items)
            try fields.field(11, "ratio", &ratio)
            try fields.field(12, "active", &active)
            try fields.field(13, "best", &best)
            try fields.field(14, "small", &small, required: false)
            try fields.field(15, "level", &level, required: false)
            try fields.field(16, "count", &count, required: false)
            try fields.field(17, "seen", &seen)
            try fields.field(18, "moods", &moods)
        }

        static let sample = Profile(
            id: 9_007_199_254_740_993, name: "Ada \"A\" \\ Lovelace\n", nick: nil, joined: Date(timeIntervalSince1970: 1_700_000_000.125),
            avatar: ByteBuffer(bytes: [0x00, 0x01, 0xFF]), mood: .sad, score: -1.5, big: .max, tags: ["a", "日本"],
            items: [Item(id: 1), Item(id: -2, label: "two")], ratio: 0.5, active: true, best: nil, small: .min, level: .max,
            count: .min, seen: nil, moods: [.happy, .ecstatic])
    }

    private struct Floats: WireMessage {
        var double: Double = 0
        var float: Float = 0
        var doubles: [Double] = []

        mutating func wireFields(_ fields: inout WireFields) throws {
            try fields.field(1, "double", &double)
            try fields.field(2, "float", &float)
            try fields.field(3, "doubles", &doubles)
        }
    }

    /// The base all reading tests start from: the required members only.
    private let minimal =
        #""id":1,"name":"n","joined":"2023-11-14T22:13:20Z","avatar":"","mood":"happy","score":0,"big":0,"ratio":0,"active":false"#

    // MARK: Writing

    func testMembersInFieldOrderWithNilsLeftOut() throws {
        XCTAssertEqual(
            try jsonText(Profile.sample),
            #"{"id":9007199254740993,"name":"Ada \"A\" \\ Lovelace\n","joined":"2023-11-14T22:13:20.125Z","avatar":"AAH/","mood":"sad","#
                + #""score":-1.5,"big":18446744073709551615,"tags":["a","日本"],"items":[{"id":1},{"id":-2,"label":"two"}],"ratio":0.5,"#
                + #""active":true,"small":-2147483648,"level":4294967295,"count":-9223372036854775808,"moods":["happy","ecstatic"]}"#)
        // Empty arrays are written, unlike in the binary form; a message without fields is {}.
        XCTAssertEqual(
            try jsonText(Profile()),
            #"{"id":0,"name":"","joined":"2001-01-01T00:00:00.000Z","avatar":"","mood":"unknown","score":0.0,"big":0,"tags":[],"items":[],"#
                + #""ratio":0.0,"active":false,"small":0,"level":0,"count":0,"moods":[]}"#)
        XCTAssertEqual(try jsonText(HealthRequest()), "{}")
    }

    func testRoundTrips() {
        assertWireRoundTrip(Profile.sample)
        assertWireRoundTrip(Profile())
        var full = Profile.sample
        full.nick = ""
        full.best = Item(id: .max, label: "")
        full.seen = Date(timeIntervalSince1970: -1.5)
        assertWireRoundTrip(full)
    }

    func testSixtyFourBitIntegersAreExact() throws {
        for value: Int64 in [.max, .min, .max - 1, 9_007_199_254_740_993, -9_007_199_254_740_993, 0] {
            var profile = Profile()
            profile.id = value
            profile.count = Int(value)
            XCTAssertEqual(try jsonRoundTrip(profile), profile, "\(value)")
            XCTAssertTrue(try jsonText(profile).contains(#""id":\#(value),"#))
        }
        for value: UInt64 in [.max, .max - 1, 1 << 63, 9_007_199_254_740_993] {
            var profile = Profile()
            profile.big = value
            XCTAssertEqual(try jsonRoundTrip(profile), profile, "\(value)")
        }
    }

    func testNonFiniteNumbersAreStrings() throws {
        let text = try jsonText(Floats(double: .nan, float: .infinity, doubles: [-.infinity, .infinity, .nan, 1, -0.0]))
        XCTAssertEqual(text, #"{"double":"NaN","float":"Infinity","doubles":["-Infinity","Infinity","NaN",1.0,-0.0]}"#)
        let decoded = try jsonDecode(Floats.self, text)
        XCTAssertTrue(decoded.double.isNaN)
        XCTAssertEqual(decoded.float, .infinity)
        XCTAssertEqual(decoded.doubles.count, 5)
        XCTAssertEqual(decoded.doubles[0], -.infinity)
        XCTAssertTrue(decoded.doubles[2].isNaN)
        XCTAssertEqual(decoded.doubles[4].sign, .minus, "the sign of zero survives")
        // Integers and exponents are numbers too; -0 keeps its sign.
        let read = try jsonDecode(Floats.self, #"{"double":-0,"float":1e2,"doubles":[3,-4.5e-3,1E+2]}"#)
        XCTAssertEqual(read.double.sign, .minus)
        XCTAssertEqual(read.float, 100)
        XCTAssertEqual(read.doubles, [3, -0.0045, 100])
    }

    func testDatesAreISO8601WithMilliseconds() throws {
        var profile = Profile()
        profile.joined = Date(timeIntervalSince1970: 1_700_000_000.125)
        profile.seen = Date(timeIntervalSince1970: 0)
        let text = try jsonText(profile)
        XCTAssertTrue(text.contains(#""joined":"2023-11-14T22:13:20.125Z""#), text)
        XCTAssertTrue(text.contains(#""seen":"1970-01-01T00:00:00.000Z""#), text)
        XCTAssertEqual(try jsonDecode(Profile.self, text), profile)
        // People typing JSON need not spell out the fractional seconds.
        XCTAssertEqual(try jsonDecode(Profile.self, "{\(minimal)}").joined, Date(timeIntervalSince1970: 1_700_000_000))
    }

    /// A date at a whole millisecond is written with that millisecond, though its Double
    /// (what the binary form carries) is often a hair below it.
    func testDatesAreWrittenToTheNearestMillisecond() throws {
        for base in [1_700_000_000, -86_400, 0] {
            for millisecond in 0..<1_000 {
                let exact = Date(timeIntervalSince1970: Double(base) + Double(millisecond) / 1_000)
                var profile = Profile()
                profile.joined = Date(timeIntervalSinceReferenceDate: exact.timeIntervalSinceReferenceDate)
                let digits = String(millisecond + 1_000).dropFirst()
                let text = try jsonText(profile)
                XCTAssertTrue(text.contains(".\(digits)Z"), "\(base) + \(millisecond) ms: \(text)")
                XCTAssertEqual(try jsonText(jsonDecode(Profile.self, text)), text)
            }
        }
        var profile = Profile()
        profile.joined = Date(timeIntervalSince1970: 1_700_000_000.999_6)
        XCTAssertTrue(try jsonText(profile).contains(#""joined":"2023-11-14T22:13:21.000Z""#))
    }

    func testBytesAreBase64() throws {
        var profile = Profile()
        profile.avatar = ByteBuffer(string: "any carnal pleasure.")
        XCTAssertTrue(try jsonText(profile).contains(#""avatar":"YW55IGNhcm5hbCBwbGVhc3VyZS4=""#))
        XCTAssertEqual(try jsonRoundTrip(profile), profile)
    }

    func testEnumerationsByName() throws {
        XCTAssertEqual(try jsonDecode(Profile.self, "{\(minimal)}").mood, .happy)
        XCTAssertEqual(
            try jsonDecode(Profile.self, "{\(minimal),\"moods\":[\"sad\",\"ecstatic\",\"unknown\"]}").moods, [.sad, .ecstatic, .unknown])
        // A name or number this side does not know is the unknown case, as in binary.
        XCTAssertEqual(
            try jsonDecode(Profile.self, "{\(minimal),\"moods\":[\"angry\",-5,1000000,7]}").moods, [.unknown, .sad, .ecstatic, .unknown])
        assertJSONRejects(Profile.self, "{\(minimal),\"moods\":[true]}", mentioning: "moods[0]: expected a case name, found a boolean")
    }

    // MARK: Reading

    func testNullAndAbsentAreNilOrEmpty() throws {
        let profile = try jsonDecode(Profile.self, "{\(minimal),\"nick\":null,\"best\":null,\"tags\":null,\"items\":null,\"seen\":null}")
        XCTAssertNil(profile.nick)
        XCTAssertNil(profile.best)
        XCTAssertEqual(profile.tags, [])
        XCTAssertEqual(profile.items, [])
        XCTAssertEqual(profile.small, 0, "a `required: false` member may be absent")
        XCTAssertEqual(try jsonDecode(Profile.self, "{\(minimal),\"nick\":\"n\",\"best\":{\"id\":3}}").best, Item(id: 3))
    }

    func testAnUnknownMemberIsAnErrorNamingIt() {
        assertJSONRejects(Profile.self, "{\(minimal),\"colour\":\"red\"}", mentioning: "unknown member colour in Profile")
        assertJSONRejects(Profile.self, "{\(minimal),\"b\":1,\"a\":null}", mentioning: "unknown members a, b in Profile")
        assertJSONRejects(
            Profile.self, "{\(minimal),\"items\":[{\"id\":1,\"lable\":\"x\"}]}", mentioning: "items[0]: unknown member lable in Item")
        assertJSONRejects(Profile.self, "{\(minimal),\"best\":{\"id\":1,\"x\":2}}", mentioning: "best: unknown member x in Item")
    }

    func testAMissingRequiredMemberIsAnError() {
        assertJSONRejects(Profile.self, #"{"id":1}"#, mentioning: "required field 'name' (2) is missing")
        assertJSONRejects(Profile.self, "{\(minimal),\"best\":{}}", mentioning: "best: required field 'id' (1) is missing")
        assertJSONRejects(Profile.self, "{\(minimal.replacingOccurrences(of: "\"name\":\"n\",", with: ""))}", mentioning: "'name'")
        // null is not a value for a required member.
        assertJSONRejects(Profile.self, "{\(minimal),\"small\":null}", mentioning: "small: expected an integer, found null")
    }

    func testAWrongTypeNamesTheFieldPath() {
        let items = #""items":[{"id":1},{"id":2},{"id":"3"}]"#
        assertJSONRejects(Profile.self, "{\(minimal),\(items)}", mentioning: "items[2].id: expected an integer, found a string")
        assertJSONRejects(Profile.self, "{\(minimal),\"items\":{}}", mentioning: "items: expected an array, found an object")
        assertJSONRejects(Profile.self, "{\(minimal),\"items\":[1]}", mentioning: "items[0]: expected an object, found a number")
        assertJSONRejects(Profile.self, "{\(minimal),\"tags\":[\"a\",2]}", mentioning: "tags[1]: expected a string, found a number")
        assertJSONRejects(Profile.self, "{\(minimal),\"nick\":true}", mentioning: "nick: expected a string, found a boolean")
        assertJSONRejects(Profile.self, "{\(minimal),\"best\":{\"id\":1.5}}", mentioning: "best.id: expected an integer that fits in Int64")
        assertJSONRejects(Profile.self, "{\(minimal),\"small\":2147483648}", mentioning: "small: expected an integer that fits in Int32")
        assertJSONRejects(Profile.self, "{\(minimal),\"level\":-1}", mentioning: "level: expected an integer that fits in UInt32")
        assertJSONRejects(
            Profile.self, "{\(minimal),\"count\":9223372036854775808}", mentioning: "count: expected an integer that fits in Int")
        assertJSONRejects(Profile.self, "{\(minimal),\"seen\":\"yesterday\"}", mentioning: "seen: expected an ISO 8601 date")
        assertJSONRejects(Profile.self, "{\(minimal),\"seen\":0}", mentioning: "seen: expected an ISO 8601 date")
        assertJSONRejects(
            Profile.self, "{\(minimal.replacingOccurrences(of: "\"avatar\":\"\"", with: "\"avatar\":\"***\""))}",
            mentioning: "avatar: expected a base64 string")
        assertJSONRejects(
            Profile.self, "{\(minimal.replacingOccurrences(of: "\"score\":0", with: "\"score\":\"1\""))}",
            mentioning: "score: expected a number")
        assertJSONRejects(
            Profile.self, "{\(minimal.replacingOccurrences(of: "\"active\":false", with: "\"active\":0"))}",
            mentioning: "active: expected true or false")
    }

    func testWholeNumbersInAnyNotationFitIntegers() throws {
        XCTAssertEqual(try jsonDecode(Profile.self, "{\(minimal),\"small\":1.0,\"level\":2e3}").level, 2_000)
        XCTAssertEqual(try jsonDecode(Profile.self, "{\(minimal),\"small\":-7.0}").small, -7)
    }

    func testNotJSONOrNotAnObjectIsRefused() {
        assertJSONRejects(Profile.self, #"{"id":1,"#, mentioning: "not valid JSON")
        assertJSONRejects(Profile.self, "", mentioning: "not valid JSON")
        assertJSONRejects(Profile.self, "[]", mentioning: "expected an object, found an array")
        assertJSONRejects(Profile.self, "null", mentioning: "expected an object, found null")
        assertJSONRejects(Profile.self, #""text""#, mentioning: "expected an object, found a string")
    }

    func testNestingIsLimited() throws {
        let limits = WireLimits(maxDepth: 3)
        // Three levels below the root, as in binary.
        let three = #"{"name":"","children":[{"name":"","children":[{"name":"","children":[{"name":""}]}]}]}"#
        XCTAssertEqual(try jsonDecode(WireTree.self, three, limits: limits), try wireDecode(WireTree.self, deepTreeBytes(levels: 3)))
        let four = #"{"name":"","children":[{"name":"","children":[{"name":"","children":[{"name":"","children":[{"name":""}]}]}]}]}"#
        assertJSONRejects(WireTree.self, four, mentioning: "nested deeper than 3", limits: limits)
        XCTAssertNoThrow(try jsonRoundTrip(WireTree.chain(WireLimits().maxDepth)))
    }

    /// Nesting far past any limit, as a hostile client would send it: an error, not a crash.
    func testVeryDeepJSONIsRefused() {
        let depth = 100_000
        let text = String(repeating: #"{"name":"","children":["#, count: depth) + #"{"name":""}"# + String(repeating: "]}", count: depth)
        assertJSONRejects(WireTree.self, text, mentioning: "not valid JSON")
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        assertJSONRejects(WireTree.self, #"{"name":"","children":"# + arrays + "}", mentioning: "not valid JSON")
    }
}
