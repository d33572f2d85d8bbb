public import Foundation
public import NIOCore
public import PostgresNIO

/// Reads a one-dimensional PostgreSQL array in binary format one element at a time, with
/// concrete element types. PostgresNIO's `[Element]` decoding is generic across a module
/// boundary: on a page of 100 rows of five array columns, its metadata lookups, exclusivity
/// checks and intermediate arrays were about a quarter of the serving process's time.
///
/// The format (`array_send` in PostgreSQL's arrayfuncs.c): dimensions, a has-NULLs flag and
/// the element type's OID, then a size and lower bound per dimension, then every element as a
/// 32-bit length (-1 for NULL) and its bytes.
///
/// Reading on the caller's hot path, its methods are inlinable, so they are specialized and
/// inlined into the reader.
public struct PostgresArrayCursor {
    /// How many elements the array holds; an SQL NULL array holds none.
    public let count: Int
    @usableFromInline var buffer: ByteBuffer
    @usableFromInline let column: String

    /// A cursor on the first element of `cell`, which must hold a one-dimensional array of
    /// `elementType` in binary format (or NULL).
    /// - Throws: ``RowShapeError`` for any other shape.
    public init(_ cell: PostgresCell, elementType: PostgresDataType) throws {
        column = cell.columnName
        guard var bytes = cell.bytes else {
            count = 0
            buffer = ByteBuffer()
            return
        }
        guard cell.format == .binary else { throw Self.error(column, "is not in binary format") }
        guard let (dimensions, _, element) = bytes.readMultipleIntegers(endianness: .big, as: (Int32, Int32, UInt32).self) else {
            throw Self.error(column, "has a truncated header")
        }
        guard element == elementType.rawValue else {
            throw Self.error(column, "holds elements of type \(element), not \(elementType.rawValue)")
        }
        switch dimensions {
        case 0:
            count = 0
        case 1:
            guard let (size, _) = bytes.readMultipleIntegers(endianness: .big, as: (Int32, Int32).self), size >= 0 else {
                throw Self.error(column, "has a truncated or negative dimension")
            }
            count = Int(size)
        default:
            throw Self.error(column, "has \(dimensions) dimensions, not one")
        }
        buffer = bytes
    }

    /// The next element's length, nil for NULL, with the reader on its first byte. Elements
    /// are read in place rather than as slices, which would retain the row's storage each.
    @inlinable
    mutating func nextLength() throws -> Int? {
        guard let length = buffer.readInteger(endianness: .big, as: Int32.self) else {
            throw Self.error(column, "ends before its last element")
        }
        if length == -1 { return nil }
        guard length >= 0, Int(length) <= buffer.readableBytes else {
            throw Self.error(column, "has an element longer than the array")
        }
        return Int(length)
    }

    /// The next element, which must be 8 bytes and not NULL, as a big-endian integer.
    @inlinable
    mutating func nextEightBytes(_ type: String) throws -> Int64 {
        guard let length = try nextLength() else { throw Self.error(column, "holds an unexpected NULL") }
        guard length == 8, let value = buffer.readInteger(endianness: .big, as: Int64.self) else {
            throw Self.error(column, "holds a \(type) that is not 8 bytes")
        }
        return value
    }

    /// The next element, an `int8` that must not be NULL.
    @inlinable
    public mutating func nextInt64() throws -> Int64 {
        try nextEightBytes("int8")
    }

    /// The next element, a text (nil for NULL), as PostgresNIO decodes it: invalid UTF-8 is
    /// repaired, never trusted.
    @inlinable
    public mutating func nextString() throws -> String? {
        guard let length = try nextLength() else { return nil }
        guard let text = buffer.readString(length: length) else { throw Self.error(column, "has an element longer than the array") }
        return text
    }

    /// The next element, a text that must not be NULL.
    @inlinable
    public mutating func nextNonNullString() throws -> String {
        guard let text = try nextString() else { throw Self.error(column, "holds an unexpected NULL") }
        return text
    }

    /// A timestamptz: microseconds since 2000-01-01 UTC, converted exactly as PostgresNIO's
    /// `Date` decoding does, so a post read here and one read row by row compare equal.
    @inlinable
    public mutating func nextDate() throws -> Date {
        let microseconds = try nextEightBytes("timestamptz")
        return Date(timeInterval: Double(microseconds) / 1_000_000, since: Self.postgresEpoch)
    }

    @usableFromInline static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

    @usableFromInline static func error(_ column: String, _ problem: String) -> RowShapeError {
        RowShapeError(description: "the array column \(column) \(problem)")
    }
}
