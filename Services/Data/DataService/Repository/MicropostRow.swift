import Foundation
import MicropostsModels
import PostgresData
import PostgresNIO

// Micropost queries select these columns, in this order: id, author username, text,
// referenced username (nullable), created_at, updated_at.

extension Micropost {
    init(row: PostgresRow) throws {
        var cells = row.makeIterator()
        try self.init(cells: &cells)
    }

    /// Reads the six micropost columns from where `cells` stands.
    init(cells: inout PostgresRow.Iterator) throws {
        self.init(
            id: try cells.decodeNext(Int64.self), author: try cells.decodeNext(String.self),
            text: try cells.decodeNext(String.self), referenced: try cells.decodeNext(String?.self),
            createdAt: try cells.decodeNext(Date.self), updatedAt: try cells.decodeNext(Date.self))
    }

    /// Reads the six micropost columns of an outer join: nil when the row has no micropost
    /// (its id is NULL).
    init?(nullableCells cells: inout PostgresRow.Iterator) throws {
        guard let id = try cells.decodeNext(Int64?.self) else { return nil }
        let author = try cells.decodeNext(String?.self)
        let text = try cells.decodeNext(String?.self)
        let referenced = try cells.decodeNext(String?.self)
        let createdAt = try cells.decodeNext(Date?.self)
        let updatedAt = try cells.decodeNext(Date?.self)
        guard let author, let text, let createdAt, let updatedAt else { return nil }
        self.init(id: id, author: author, text: text, referenced: referenced, createdAt: createdAt, updatedAt: updatedAt)
    }
}

/// A list query's rows, each `(owner exists, micropost columns or all NULL)`: an unknown user
/// gives one row with `false`; a known user without posts one row of NULLs.
struct OwnedMicropostRows {
    let ownerExists: Bool
    let posts: [Micropost]

    init(_ rows: [PostgresRow]) throws {
        var ownerExists = false
        var posts: [Micropost] = []
        posts.reserveCapacity(rows.count)
        for row in rows {
            var cells = row.makeIterator()
            ownerExists = try cells.decodeNext(Bool.self) || ownerExists
            if let post = try Micropost(nullableCells: &cells) { posts.append(post) }
        }
        self.ownerExists = ownerExists
        self.posts = posts
    }
}
