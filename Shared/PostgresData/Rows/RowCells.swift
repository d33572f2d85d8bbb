public import PostgresNIO

/// A row is not shaped the way the code reading it expects: a query and its reader disagree.
public struct RowShapeError: Error, CustomStringConvertible {
    /// What did not fit.
    public let description: String

    /// An error saying what did not fit.
    @inlinable
    public init(description: String) {
        self.description = description
    }
}

extension PostgresRow.Iterator {
    /// Decodes the next column as `T`. Reading cell by cell with concrete types is specialized
    /// at compile time; decoding a whole row as a tuple went through generic metadata at run
    /// time, which was the largest part of reading a page of 100 rows.
    @inlinable
    public mutating func decodeNext<T: PostgresDecodable>(_: T.Type) throws -> T {
        try nextCell().decode(T.self)
    }

    /// The next column's raw cell, for readers that parse its bytes themselves.
    @inlinable
    public mutating func nextCell() throws -> PostgresCell {
        guard let cell = next() else { throw RowShapeError(description: "a row has fewer columns than its reader expects") }
        return cell
    }
}
