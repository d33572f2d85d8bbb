import PostgresNIO

/// A row has fewer columns than the code reading it expects: a query and its reader disagree.
struct MissingColumnError: Error, CustomStringConvertible {
    var description: String { "a row has fewer columns than its reader expects" }
}

extension PostgresRow.Iterator {
    /// Decodes the next column as `T`. Reading cell by cell with concrete types is specialized
    /// at compile time; decoding a whole row as a tuple went through generic metadata at run
    /// time, which was the largest part of reading a page of 100 rows.
    mutating func decodeNext<T: PostgresDecodable>(_: T.Type) throws -> T {
        guard let cell = next() else { throw MissingColumnError() }
        return try cell.decode(T.self)
    }
}
