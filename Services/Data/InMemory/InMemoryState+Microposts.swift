import MicropostsModels
import RPC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension InMemoryState {
    mutating func create(_ request: CreateMicropostRequest, now: Date) throws(RPCError) -> Micropost {
        guard userExists(request.username) else { throw .notFound("no user '\(request.username)'") }
        if let referenced = request.referenced, !userExists(referenced) {
            throw .invalidArgument("referenced: no user '\(referenced)'")
        }
        lastPostID += 1
        let post = Micropost(
            id: lastPostID, author: request.username, text: request.text, referenced: request.referenced, createdAt: now, updatedAt: now)
        store(post)
        return post
    }

    /// Stores `post` as given, replacing any post with its id.
    mutating func store(_ post: Micropost) {
        if let old = posts[post.id] { postIDsByAuthor[old.author]?.remove(old.id) }
        posts[post.id] = post
        postIDs.insert(post.id)
        postIDsByAuthor[post.author, default: SortedIDs()].insert(post.id)
        lastPostID = max(lastPostID, post.id)
    }

    func post(_ id: Int64, in username: String) throws(RPCError) -> Micropost {
        guard let post = posts[id], post.author == username else { throw Self.notFound(id: id, username: username) }
        return post
    }

    /// A new referenced user (nil clears it), or keep the current one.
    enum ReferencedChange: Sendable {
        case keep
        case set(String?)
    }

    mutating func update(
        _ id: Int64, in username: String, actingUsername: String, text: String?, referenced: ReferencedChange, now: Date
    ) throws(RPCError) -> Micropost {
        var post = try owned(id, in: username, by: actingUsername)
        if case .set(let name?) = referenced, !userExists(name) { throw .invalidArgument("referenced: no user '\(name)'") }
        if let text { post.text = text }
        if case .set(let name) = referenced { post.referenced = name }
        post.updatedAt = now
        posts[id] = post
        return post
    }

    mutating func delete(_ id: Int64, in username: String, actingUsername: String) throws(RPCError) {
        let post = try owned(id, in: username, by: actingUsername)
        posts[id] = nil
        postIDs.remove(id)
        postIDsByAuthor[post.author]?.remove(id)
    }

    func collection(of username: String, _ page: PageRequest) throws(RPCError) -> Page<Micropost> {
        guard userExists(username) else { throw .notFound("no user '\(username)'") }
        return page.slice(micropostsNewestFirst(postIDsByAuthor[username]?.newestFirst ?? SortedIDs().newestFirst))
    }

    /// Posts by the users `username` follows (not their own).
    func timeline(of username: String, _ page: PageRequest) throws(RPCError) -> Page<Micropost> {
        guard userExists(username) else { throw .notFound("no user '\(username)'") }
        let ids = (following[username] ?? []).flatMap { postIDsByAuthor[$0]?.ascending ?? [] }.sorted(by: >)
        return page.slice(micropostsNewestFirst(ids))
    }

    /// Case-insensitive substring search; every character matches only itself.
    func search(_ request: SearchMicropostsRequest) -> Page<Micropost> {
        let text = request.text.lowercased()
        let author = request.username?.lowercased()
        let matches = micropostsNewestFirst(postIDs.newestFirst).lazy.filter { post in
            post.text.lowercased().contains(text) && (author.map { post.author.lowercased().contains($0) } ?? true)
        }
        return request.page.slice(matches)
    }

    /// Lazy, so a page reads only the posts up to its end.
    private func micropostsNewestFirst(_ ids: some Sequence<Int64>) -> some Sequence<Micropost> {
        ids.lazy.compactMap { posts[$0] }
    }

    private func owned(_ id: Int64, in username: String, by actingUsername: String) throws(RPCError) -> Micropost {
        let post = try post(id, in: username)
        guard actingUsername == username else { throw RPCError(.permissionDenied, "only '\(username)' may change micropost \(id)") }
        return post
    }

    static func notFound(id: Int64, username: String) -> RPCError {
        .notFound("no micropost \(id) by '\(username)'")
    }
}
