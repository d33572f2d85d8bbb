import Foundation
import MicropostsModels
import PostgresNIO

/// One page of a user's microposts as column arrays, which ``CollectionPages`` selects: the
/// owner's name (NULL when there is no such user), then ids, texts, referenced usernames ('' for
/// none), creation and update times, each newest first and NULL when there are no posts.
struct MicropostColumnArrays: Sendable {
    /// Nil when the user does not exist.
    let owner: String?
    let posts: [Micropost]

    /// Reads the six columns from where `cells` stands.
    init(cells: inout PostgresRow.Iterator) throws {
        let owner = try cells.decodeNext(String?.self)
        let ids = try cells.decodeNext([Int64]?.self) ?? []
        let texts = try cells.decodeNext([String]?.self) ?? []
        let referenced = try cells.decodeNext([String]?.self) ?? []
        let created = try cells.decodeNext([Date]?.self) ?? []
        let updated = try cells.decodeNext([Date]?.self) ?? []
        guard [texts.count, referenced.count, created.count, updated.count].allSatisfy({ $0 == ids.count }) else {
            throw RowShapeError(description: "the column arrays of a page differ in length")
        }
        guard let owner else {
            guard ids.isEmpty else { throw RowShapeError(description: "posts without an owner") }
            self.owner = nil
            self.posts = []
            return
        }
        var posts: [Micropost] = []
        posts.reserveCapacity(ids.count)
        for index in ids.indices {
            posts.append(Micropost(
                id: ids[index], author: owner, text: texts[index], referenced: referenced[index].isEmpty ? nil : referenced[index],
                createdAt: created[index], updatedAt: updated[index]))
        }
        self.owner = owner
        self.posts = posts
    }
}

/// What a collection page request asks for; equal requests in one batch share a result.
struct CollectionPageKey: Hashable, Sendable {
    let username: String
    let limit: Int
    let offset: Int
}
