import AppServerProtocol
import Foundation
import MicropostsModels
import NIOCore
import XCTest

@testable import RPC

/// The hand-written binary payload coding of the models against their synthesized
/// `Codable` conformances: same bytes, same values, same errors.
final class BinaryPayloadFastPathTests: XCTestCase {
    private var random = SplitMix64(seed: 20_260_301)

    func testMicropost() {
        for post in self.edgeCasePosts + (0..<300).map({ _ in self.randomPost() }) {
            self.assertMatchesCodable(post)
        }
        for post in self.edgeCasePosts {
            self.assertRejectsLikeCodable(post)
        }
    }

    func testPageOfMicroposts() {
        self.assertMatchesCodable(Page<Micropost>(items: [], hasNext: false))
        self.assertMatchesCodable(Page(items: self.edgeCasePosts, hasNext: true))
        for count in [1, 2, 20, 100] {
            let page = Page(items: (0..<count).map { _ in self.randomPost() }, hasNext: Bool.random(using: &self.random))
            self.assertMatchesCodable(page, "\(count) items")
        }
        self.assertRejectsLikeCodable(Page(items: Array(self.edgeCasePosts.prefix(3)), hasNext: true))
        self.assertRejectsLikeCodable(Page(items: self.edgeCasePosts, hasNext: true), sampling: 300)
        self.assertRejectsLikeCodable(Page(items: (0..<100).map { _ in self.randomPost() }, hasNext: false), sampling: 300)
    }

    func testUserAndPageOfUsers() {
        for username in self.edgeCaseStrings + (0..<50).map({ _ in self.randomString() }) {
            self.assertMatchesCodable(User(username: username))
        }
        self.assertMatchesCodable(Page<User>(items: [], hasNext: true))
        self.assertMatchesCodable(Page(items: self.edgeCaseStrings.map(User.init(username:)), hasNext: false))
        self.assertMatchesCodable(Page(items: (0..<100).map { _ in User(username: self.randomString()) }, hasNext: true))
        self.assertRejectsLikeCodable(User(username: "ana ß 😀"))
        self.assertRejectsLikeCodable(Page(items: self.edgeCaseStrings.map(User.init(username:)), hasNext: true))
    }

    func testGetMicropostRequest() {
        for id in self.edgeCaseIDs + (0..<50).map({ _ in self.randomInteger(Int64.self) }) {
            self.assertMatchesCodable(GetMicropostRequest(username: self.randomString(), id: id))
        }
        self.assertMatchesCodable(GetMicropostRequest(username: "", id: .min))
        self.assertRejectsLikeCodable(GetMicropostRequest(username: "日本", id: .max))
    }

    func testPageRequestAndUserListRequest() {
        let numbers = [0, 1, -1, 100, 101, .min, .max] + (0..<20).map { _ in self.randomInteger(Int.self) }
        for page in numbers {
            for size in numbers.shuffled(using: &self.random).prefix(5) {
                self.assertMatchesCodable(PageRequest(page: page, size: size))
                self.assertMatchesCodable(UserListRequest(username: self.randomString(), page: PageRequest(page: page, size: size)))
            }
        }
        self.assertMatchesCodable(UserListRequest(username: ""))
        self.assertRejectsLikeCodable(PageRequest(page: .min, size: .max))
        self.assertRejectsLikeCodable(UserListRequest(username: "é", page: PageRequest(page: -300, size: 20)))
    }

    func testHTTPHeaderField() {
        for name in self.edgeCaseStrings {
            self.assertMatchesCodable(HTTPHeaderField(name: name, value: self.randomString()))
        }
        self.assertRejectsLikeCodable(HTTPHeaderField(name: "Content-Type", value: "text/plain; charset=ü"))
    }

    func testHTTPEnvelopeRequest() {
        let empty = HTTPEnvelopeRequest(method: "", target: "", headers: [], body: [], clientAddress: "", scheme: "", host: "", port: 0)
        let full = self.randomRequest(headers: 30, bodyBytes: 5_000)
        for request in [empty, full] + (0..<200).map({ _ in self.randomRequest() }) {
            self.assertMatchesCodable(request)
        }
        for port in [Int.min, -1, 65_535, .max] {
            self.assertMatchesCodable(
                HTTPEnvelopeRequest(
                    method: "GET", target: "/é?q=😀", headers: [.init(name: "", value: "")], body: [0],
                    clientAddress: "::1", scheme: "https", host: "例え.jp", port: port
                ))
        }
        self.assertRejectsLikeCodable(empty)
        self.assertRejectsLikeCodable(self.randomRequest(headers: 3, bodyBytes: 20))
        self.assertRejectsLikeCodable(full, sampling: 300)
    }

    func testHTTPEnvelopeResponse() {
        let empty = HTTPEnvelopeResponse(status: 0, headers: [], body: [])
        for response in [empty] + (0..<200).map({ _ in self.randomResponse() }) {
            self.assertMatchesCodable(response)
        }
        for status in [Int.min, -1, 200, 599, .max] {
            self.assertMatchesCodable(
                HTTPEnvelopeResponse(status: status, headers: [.init(name: "Location", value: "/x")], body: Array(0...255)))
        }
        self.assertRejectsLikeCodable(empty)
        self.assertRejectsLikeCodable(self.randomResponse())
    }

    func testTheRPCMethodsUseTheFastPath() {
        // Asked at run time, as the encoder asks.
        let types: [Any.Type] = [
            Micropost.self, Page<Micropost>.self, User.self, Page<User>.self, GetMicropostRequest.self,
            UserListRequest.self, PageRequest.self, HTTPHeaderField.self, HTTPEnvelopeRequest.self, HTTPEnvelopeResponse.self,
        ]
        for type in types {
            XCTAssertTrue(type is any BinaryPayloadCodable.Type, "\(type)")
        }
        // Conditional on the items: a page of anything else keeps plain `Codable`.
        let pageOfStrings: Any.Type = Page<String>.self
        XCTAssertFalse(pageOfStrings is any BinaryPayloadEncodable.Type)
        XCTAssertFalse(pageOfStrings is any BinaryPayloadDecodable.Type)
    }

    // MARK: Assertions

    private func assertMatchesCodable<T: Codable & Equatable>(
        _ value: T,
        _ message: @autoclosure () -> String = "",
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertTrue(T.self is any BinaryPayloadEncodable.Type, "\(T.self) has no fast path", file: file, line: line)
        XCTAssertTrue(T.self is any BinaryPayloadDecodable.Type, "\(T.self) has no fast path", file: file, line: line)
        do {
            let fast = try Self.bytes(value, handWritten: true)
            let codable = try Self.bytes(value, handWritten: false)
            XCTAssertEqual(fast, codable, "fast path bytes differ from Codable's \(message())", file: file, line: line)
            XCTAssertEqual(try Self.decode(T.self, codable, handWritten: true), value, "fast decoding \(message())", file: file, line: line)
            XCTAssertEqual(
                try Self.decode(T.self, fast, handWritten: false), value, "Codable decoding \(message())", file: file, line: line)
        } catch {
            XCTFail("\(error) \(message())", file: file, line: line)
        }
    }

    /// Every truncation throws a `DecodingError`, and a corrupted byte makes both paths
    /// throw the same error or decode the same value. Every position, or `sampling` random ones.
    private func assertRejectsLikeCodable<T: Codable & Equatable>(
        _ value: T,
        sampling: Int? = nil,
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        guard let bytes = try? Self.bytes(value, handWritten: true), !bytes.isEmpty else {
            return XCTFail("cannot encode \(value)", file: file, line: line)
        }
        let positions =
            sampling.map { count in (0..<count).map { _ in Int.random(in: bytes.indices, using: &self.random) } } ?? Array(bytes.indices)
        for length in positions {
            let prefix = Array(bytes.prefix(length))
            XCTAssertThrowsError(try Self.decode(T.self, prefix, handWritten: true), "prefix of \(length)", file: file, line: line) {
                XCTAssertTrue($0 is DecodingError, "prefix of \(length): \($0)", file: file, line: line)
            }
        }
        for position in positions {
            for replacement: UInt8 in [0x00, 0x01, 0x02, 0x7F, 0x80, 0xC3, 0xFF, bytes[position] ^ 0x01] {
                var damaged = bytes
                damaged[position] = replacement
                let description = "byte \(position) of \(bytes.count) set to \(replacement)"
                let fast = Result { try Self.decode(T.self, damaged, handWritten: true) }
                let codable = Result { try Self.decode(T.self, damaged, handWritten: false) }
                switch (fast, codable) {
                case (.success(let fast), .success(let codable)):
                    // Compared as bytes: a corrupted Double may be NaN, which equals nothing.
                    XCTAssertEqual(
                        try Self.bytes(fast, handWritten: true), try Self.bytes(codable, handWritten: true),
                        description, file: file, line: line
                    )
                case (.failure(let fast), .failure(let codable)):
                    XCTAssertTrue(fast is DecodingError, "\(description): \(fast)", file: file, line: line)
                    XCTAssertEqual("\(fast)", "\(codable)", description, file: file, line: line)
                case (.success, .failure(let error)):
                    XCTFail("\(description): the fast path accepts what Codable rejects: \(error)", file: file, line: line)
                case (.failure(let error), .success):
                    XCTFail("\(description): the fast path rejects what Codable accepts: \(error)", file: file, line: line)
                }
            }
        }
    }

    /// `handWritten: false` is the encoder's test hook: every type through `encode(to:)`.
    private static func bytes<T: Encodable>(_ value: T, handWritten: Bool) throws -> [UInt8] {
        var encoder = BinaryPayloadEncoder()
        encoder.usesHandWrittenCoding = handWritten
        var buffer = ByteBuffer()
        try encoder.encode(value, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], handWritten: Bool) throws -> T {
        var decoder = BinaryPayloadDecoder()
        decoder.usesHandWrittenCoding = handWritten
        var buffer = ByteBuffer(bytes: bytes)
        return try decoder.decode(type, from: &buffer)
    }

    // MARK: Values

    private let edgeCaseStrings = [
        "", "a", "ana_b-9", "naïve café", "日本語", "😀👩‍👩‍👧‍👦🇨🇭", "\u{0}", "\u{10FFFF}", String(repeating: "é", count: 200),
    ]

    private let edgeCaseIDs: [Int64] = [0, 1, -1, 63, 64, -64, -65, 127, 128, 1 << 31, 1 << 53, .min, .max]

    private var edgeCasePosts: [Micropost] {
        let dates = [
            Date(timeIntervalSinceReferenceDate: 0),
            Date(timeIntervalSinceReferenceDate: -0.0),
            Date(timeIntervalSince1970: 1_700_000_000.123_456_7),
            Date(timeIntervalSinceReferenceDate: -1_000_000_000.5),
            Date(timeIntervalSinceReferenceDate: .leastNonzeroMagnitude),
            Date.distantFuture,
            Date.distantPast,
            Date(timeIntervalSinceReferenceDate: .infinity),
        ]
        return self.edgeCaseIDs.enumerated().map { index, id in
            Micropost(
                id: id,
                author: self.edgeCaseStrings[index % self.edgeCaseStrings.count],
                text: self.edgeCaseStrings[(index + 3) % self.edgeCaseStrings.count],
                referenced: index % 2 == 0 ? nil : self.edgeCaseStrings[(index + 5) % self.edgeCaseStrings.count],
                createdAt: dates[index % dates.count],
                updatedAt: dates[(index + 1) % dates.count]
            )
        }
    }

    private func randomString() -> String {
        let alphabet: [Character] = ["a", "Z", "0", "_", " ", "é", "ß", "日", "😀", "👩‍👩‍👧", "\u{0}"]
        return String((0..<Int.random(in: 0...16, using: &self.random)).map { _ in alphabet.randomElement(using: &self.random) ?? "a" })
    }

    /// Uniform bits shifted right by a random amount, so every varint length comes up.
    private func randomInteger<I: FixedWidthInteger>(_: I.Type) -> I {
        I(truncatingIfNeeded: self.random.next()) >> Int.random(in: 0..<I.bitWidth, using: &self.random)
    }

    private func randomDate() -> Date {
        // Fractions of a second, before and after the reference date, up to ±2^40 s.
        let seconds = Double(self.randomInteger(Int64.self) >> 23) + Double(self.randomInteger(UInt16.self)) / 65_536
        return Date(timeIntervalSinceReferenceDate: seconds)
    }

    private func randomPost() -> Micropost {
        Micropost(
            id: self.randomInteger(Int64.self),
            author: self.randomString(),
            text: self.randomString(),
            referenced: Bool.random(using: &self.random) ? self.randomString() : nil,
            createdAt: self.randomDate(),
            updatedAt: self.randomDate()
        )
    }

    private func randomHeaders(_ count: Int) -> [HTTPHeaderField] {
        (0..<count).map { _ in HTTPHeaderField(name: self.randomString(), value: self.randomString()) }
    }

    private func randomBody(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self.random) }
    }

    private func randomRequest(headers: Int? = nil, bodyBytes: Int? = nil) -> HTTPEnvelopeRequest {
        HTTPEnvelopeRequest(
            method: self.randomString(),
            target: self.randomString(),
            headers: self.randomHeaders(headers ?? Int.random(in: 0...8, using: &self.random)),
            body: self.randomBody(bodyBytes ?? Int.random(in: 0...300, using: &self.random)),
            clientAddress: self.randomString(),
            scheme: self.randomString(),
            host: self.randomString(),
            port: self.randomInteger(Int.self)
        )
    }

    private func randomResponse() -> HTTPEnvelopeResponse {
        HTTPEnvelopeResponse(
            status: self.randomInteger(Int.self),
            headers: self.randomHeaders(Int.random(in: 0...8, using: &self.random)),
            body: self.randomBody(Int.random(in: 0...300, using: &self.random))
        )
    }
}
