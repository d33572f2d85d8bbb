import MicropostsModels
import PostgresData
import PostgresNIO

/// One page of a user's microposts as column arrays, which ``CollectionPages`` selects: the
/// owner's name (NULL when there is no such user), then ids, texts, referenced usernames (NULL
/// for none), creation and update times, NULL when there are no posts. The arrays list the
/// posts in the same order, newest first unless a query plan changed that.
struct MicropostColumnArrays: Sendable {
    /// Nil when the user does not exist.
    let owner: String?
    /// The posts of `window`, newest first; the one beyond it only sets `hasNext`.
    let page: Page<Micropost>

    /// Reads the six columns from where `cells` stands, walking the five arrays side by side.
    init(cells: inout PostgresRow.Iterator, window: PageWindow) throws {
        let owner = try cells.decodeNext(String?.self)
        var ids = try PostgresArrayCursor(cells.nextCell(), elementType: .int8)
        var texts = try PostgresArrayCursor(cells.nextCell(), elementType: .text)
        var referenced = try PostgresArrayCursor(cells.nextCell(), elementType: .text)
        var created = try PostgresArrayCursor(cells.nextCell(), elementType: .timestamptz)
        var updated = try PostgresArrayCursor(cells.nextCell(), elementType: .timestamptz)
        guard [texts.count, referenced.count, created.count, updated.count].allSatisfy({ $0 == ids.count }) else {
            throw RowShapeError(description: "the column arrays of a page differ in length")
        }
        guard let owner else {
            guard ids.count == 0 else { throw RowShapeError(description: "posts without an owner") }
            self.owner = nil
            self.page = Page(items: [], hasNext: false)
            return
        }
        var posts: [Micropost] = []
        posts.reserveCapacity(ids.count)
        var newestFirst = true
        for _ in 0..<ids.count {
            let post = Micropost(
                id: try ids.nextInt64(), author: owner, text: try texts.nextNonNullString(), referenced: try referenced.nextString(),
                createdAt: try created.nextDate(), updatedAt: try updated.nextDate())
            if let previous = posts.last, previous.id <= post.id { newestFirst = false }
            posts.append(post)
        }
        if !newestFirst { posts.sort { $0.id > $1.id } }
        let hasNext = posts.count > window.size
        if hasNext { posts.removeLast(posts.count - window.size) }
        self.owner = owner
        self.page = Page(items: posts, hasNext: hasNext)
    }
}

/// What a collection page request asks for; equal requests in one batch share a result.
struct CollectionPageKey: Hashable, Sendable {
    let username: String
    let window: PageWindow
}
