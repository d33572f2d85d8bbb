import Foundation
import MicropostsModels
import NIOCore
import XCTest

@testable import RPC

final class DataModelTests: XCTestCase {
    private func roundTrip<T: WireMessage & Equatable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        for encoding in [PayloadEncoding.binary, .json] {
            var buffer = ByteBuffer()
            try encoding.encode(value, into: &buffer)
            XCTAssertEqual(try encoding.decode(T.self, from: &buffer), value, "\(encoding)", file: file, line: line)
        }
    }

    func testTriStatePatchSurvivesBothEncodings() throws {
        for referenced in [NullableUpdate<String>.keep, .clear, .set("ben")] {
            try roundTrip(PatchMicropostRequest(username: "ana", id: 7, actingUsername: "ana", text: nil, referenced: referenced))
            try roundTrip(PatchMicropostRequest(username: "ana", id: 7, actingUsername: "ana", text: "new", referenced: referenced))
        }
        XCTAssertNotEqual(NullableUpdate<String>.keep, .clear)
        XCTAssertNil(NullableUpdate(isChanged: false, value: "ignored").value)
    }

    func testPagesAndOptionalFieldsSurviveTheBinaryEncoding() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        let posts = [
            Micropost(id: 2, author: "ana", text: "😀 é", referenced: nil, createdAt: date, updatedAt: date),
            Micropost(id: 1, author: "ana", text: "x", referenced: "ben", createdAt: date, updatedAt: date.addingTimeInterval(1)),
        ]
        try roundTrip(Page(items: posts, hasNext: true))
        try roundTrip(SearchMicropostsRequest(text: "abc", username: nil, page: PageRequest(page: 3, size: 50)))
        try roundTrip(SearchMicropostsRequest(text: "abc", username: "an", page: PageRequest()))
        try roundTrip(CheckRevokedTokensRequest(tokenIDs: ["a", "b"]))
    }

    func testValidationNamesTheField() {
        func message(_ body: () throws -> Void) -> String? {
            do {
                try body()
                return nil
            } catch let error as RPCError where error.code == .invalidArgument {
                return error.message
            } catch {
                return "unexpected \(error)"
            }
        }
        XCTAssertNil(message { try RegisterUserRequest(username: "a.b-c_D9", password: "12345678").validate() })
        XCTAssertEqual(message { try RegisterUserRequest(username: "a b", password: "12345678").validate() }?.hasPrefix("username:"), true)
        XCTAssertEqual(message { try RegisterUserRequest(username: "ab", password: "1234567").validate() }?.hasPrefix("password:"), true)
        XCTAssertNil(message { try CreateMicropostRequest(username: "a", text: String(repeating: "😀", count: 255)).validate() })
        XCTAssertEqual(
            message { try CreateMicropostRequest(username: "a", text: String(repeating: "😀", count: 256)).validate() }?.hasPrefix("text:"),
            true)
        XCTAssertEqual(
            message { try CreateMicropostRequest(username: "a", text: "x", referenced: "").validate() }?.hasPrefix("referenced:"), true)
        XCTAssertEqual(
            message { try UserListRequest(username: "a", page: PageRequest(page: 1, size: 101)).validate() }?.hasPrefix("size:"), true)
        XCTAssertEqual(
            message { try UserListRequest(username: "a", page: PageRequest(page: 0, size: 1)).validate() }?.hasPrefix("page:"), true)
        XCTAssertEqual(message { try SearchMicropostsRequest(text: "ab").validate() }?.hasPrefix("text:"), true)
        // Code points, not grapheme clusters: a flag is two scalars.
        XCTAssertEqual(
            message { try CreateMicropostRequest(username: "a", text: String(repeating: "🇸🇪", count: 128)).validate() }?.hasPrefix("text:"),
            true)
    }
}
