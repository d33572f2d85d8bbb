import Foundation
import NIOCore
import PostgresData
import PostgresNIO
import XCTest

/// The array reader against hand-built bytes in PostgreSQL's binary array format: what a
/// server sends, and what a broken or hostile one could.
final class PostgresArrayCursorTests: XCTestCase {
    /// A one-dimensional array: header, then each element as a length (-1 for NULL) and bytes.
    private static func array(of type: PostgresDataType, _ elements: [[UInt8]?], dimensions: Int32 = 1) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(dimensions, Int32(elements.contains(nil) ? 1 : 0), type.rawValue, endianness: .big)
        for _ in 0..<dimensions { buffer.writeMultipleIntegers(Int32(elements.count), Int32(1), endianness: .big) }
        for element in elements {
            guard let element else {
                buffer.writeInteger(Int32(-1), endianness: .big)
                continue
            }
            buffer.writeInteger(Int32(element.count), endianness: .big)
            buffer.writeBytes(element)
        }
        return buffer
    }

    private static func cell(_ bytes: ByteBuffer?, format: PostgresFormat = .binary) -> PostgresCell {
        PostgresCell(bytes: bytes, dataType: .int8Array, format: format, columnName: "ids", columnIndex: 0)
    }

    private static func int8(_ value: Int64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    private static func assertRejects(
        _ bytes: ByteBuffer, as type: PostgresDataType = .int8,
        read: (inout PostgresArrayCursor) throws -> Void = { _ = try $0.nextInt64() }, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(
            try {
                var cursor = try PostgresArrayCursor(cell(bytes), elementType: type)
                try read(&cursor)
            }(), file: file, line: line
        ) { XCTAssertTrue($0 is RowShapeError, "\($0)", file: file, line: line) }
    }

    func testElementsAreReadInOrderWithNullsWhereAllowed() throws {
        var ids = try PostgresArrayCursor(
            Self.cell(Self.array(of: .int8, [Self.int8(9), Self.int8(-1), Self.int8(.max)])), elementType: .int8)
        XCTAssertEqual(ids.count, 3)
        XCTAssertEqual([try ids.nextInt64(), try ids.nextInt64(), try ids.nextInt64()], [9, -1, .max])

        var names = try PostgresArrayCursor(
            Self.cell(Self.array(of: .text, [Array("bob".utf8), nil, Array("héllo 😀".utf8), []])), elementType: .text)
        XCTAssertEqual(names.count, 4)
        XCTAssertEqual(try names.nextString(), "bob")
        XCTAssertNil(try names.nextString())
        XCTAssertEqual(try names.nextNonNullString(), "héllo 😀")
        XCTAssertEqual(try names.nextString(), "")
    }

    func testNullAndEmptyArraysHoldNothing() throws {
        XCTAssertEqual(try PostgresArrayCursor(Self.cell(nil), elementType: .int8).count, 0)
        XCTAssertEqual(try PostgresArrayCursor(Self.cell(Self.array(of: .int8, [], dimensions: 0)), elementType: .int8).count, 0)
    }

    func testTimestampsAreMicrosecondsSince2000() throws {
        var dates = try PostgresArrayCursor(
            Self.cell(Self.array(of: .timestamptz, [Self.int8(0), Self.int8(1_500_000), Self.int8(-1)])), elementType: .timestamptz)
        XCTAssertEqual(try dates.nextDate(), Date(timeIntervalSince1970: 946_684_800))
        XCTAssertEqual(try dates.nextDate().timeIntervalSince1970, 946_684_801.5, accuracy: 1e-6)
        XCTAssertEqual(try dates.nextDate().timeIntervalSince1970, 946_684_799.999_999, accuracy: 1e-6)
    }

    func testInvalidUTF8IsRepairedNotTrusted() throws {
        var texts = try PostgresArrayCursor(Self.cell(Self.array(of: .text, [[0x61, 0xFF, 0x62]])), elementType: .text)
        XCTAssertEqual(try texts.nextString(), "a\u{FFFD}b")
    }

    func testMalformedArraysAreRowShapeErrorsNotCrashes() {
        // The wrong element type, more than one dimension, text format.
        Self.assertRejects(Self.array(of: .int4, [[0, 0, 0, 1]]))
        Self.assertRejects(Self.array(of: .int8, [Self.int8(1)], dimensions: 2))
        XCTAssertThrowsError(try PostgresArrayCursor(Self.cell(ByteBuffer(string: "{1,2}"), format: .text), elementType: .int8))
        // Truncated header, truncated dimension, a negative size.
        Self.assertRejects(ByteBuffer(bytes: [0, 0, 0, 1, 0, 0]))
        var noDimension = ByteBuffer()
        noDimension.writeMultipleIntegers(Int32(1), Int32(0), PostgresDataType.int8.rawValue, endianness: .big)
        Self.assertRejects(noDimension)
        var negativeSize = noDimension
        negativeSize.writeMultipleIntegers(Int32(-5), Int32(1), endianness: .big)
        Self.assertRejects(negativeSize)
        // A size larger than the elements sent, an element longer than the bytes left, a
        // length below -1, an int8 of the wrong width, a NULL where none may be.
        var short = Self.array(of: .int8, [Self.int8(1)])
        short.moveWriterIndex(to: short.writerIndex - 4)
        Self.assertRejects(short)
        var overlong = Self.array(of: .int8, [])
        overlong.moveWriterIndex(to: overlong.writerIndex - 8)
        overlong.writeMultipleIntegers(Int32(1), Int32(1), Int32(1000), endianness: .big)
        Self.assertRejects(overlong)
        var belowMinusOne = Self.array(of: .int8, [])
        belowMinusOne.moveWriterIndex(to: belowMinusOne.writerIndex - 8)
        belowMinusOne.writeMultipleIntegers(Int32(1), Int32(1), Int32(-2), endianness: .big)
        Self.assertRejects(belowMinusOne)
        Self.assertRejects(Self.array(of: .int8, [[1, 2, 3, 4]]))
        Self.assertRejects(Self.array(of: .int8, [nil]))
        Self.assertRejects(Self.array(of: .text, [nil]), as: .text) { _ = try $0.nextNonNullString() }
        Self.assertRejects(Self.array(of: .timestamptz, [[0, 0]]), as: .timestamptz) { _ = try $0.nextDate() }
        // Reading past the last element.
        Self.assertRejects(Self.array(of: .int8, [Self.int8(1)])) { _ = try ($0.nextInt64(), $0.nextInt64()) }
    }
}
