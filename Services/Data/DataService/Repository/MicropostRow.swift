import Foundation
import MicropostsModels
import PostgresNIO

// Micropost queries select these columns, in this order: id, author username, text,
// referenced username (nullable), created_at, updated_at.

extension Micropost {
    init(row: PostgresRow) throws {
        let (id, author, text, referenced, createdAt, updatedAt) =
            try row.decode((Int64, String, String, String?, Date, Date).self)
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
        for row in rows {
            let (exists, id, author, text, referenced, createdAt, updatedAt) =
                try row.decode((Bool, Int64?, String?, String?, String?, Date?, Date?).self)
            ownerExists = ownerExists || exists
            if let id, let author, let text, let createdAt, let updatedAt {
                posts.append(Micropost(id: id, author: author, text: text, referenced: referenced, createdAt: createdAt, updatedAt: updatedAt))
            }
        }
        self.ownerExists = ownerExists
        self.posts = posts
    }
}
