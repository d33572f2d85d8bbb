import AppServer
import MicropostsModels

/// `{"href", "id", "referenced", "text", "timestamp", "user"}` — a micropost as clients see
/// it, written straight from the data service's `Micropost`: the link and the timestamp go
/// into the JSON in place, not through a `String` each.
struct MicropostBody: JSONWritable, Sendable {
    let post: Micropost
    let links: LinkBuilder

    /// The post's own URL, for a `Location` header.
    var href: String {
        links.micropost(post.author, id: post.id)
    }

    var jsonCapacity: Int {
        Self.lengths(of: post, links: links, timestampLength: Timestamp.civilLength).maximum
    }

    private enum CodingKeys: String, CodingKey { case id, href, user, text, referenced, timestamp }

    /// The same object through `String`s: what the written bytes are tested against.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(post.id, forKey: .id)
        try container.encode(href, forKey: .href)
        try container.encode(post.author, forKey: .user)
        try container.encode(post.text, forKey: .text)
        // An explicit null: the field is always present.
        try container.encode(post.referenced, forKey: .referenced)
        try container.encode(Timestamp(post.createdAt).text, forKey: .timestamp)
    }

    func writeJSON(to output: inout JSONOutput) {
        Self.write(post, links: links, after: nil, to: &output)
    }

    /// `post`'s JSON, after `separator` if any, in one reservation of `output`.
    static func write(_ post: Micropost, links: LinkBuilder, after separator: UInt8?, to output: inout JSONOutput) {
        let timestamp = Timestamp(post.createdAt)
        let maximumLength = lengths(of: post, links: links, timestampLength: timestamp.utf8Count).maximum
        output.write(atMost: maximumLength + 1) { writer in
            if let separator { writer.byte(separator) }
            // The link and the timestamp are made of characters JSON strings take as they are.
            writer.literal(#"{"href":""#)
            links.writeMicropost(post.author, id: post.id, to: &writer)
            writer.literal(#"","id":"#)
            writer.decimal(post.id)
            writer.literal(#","referenced":"#)
            writer.jsonString(post.referenced)
            writer.literal(#","text":"#)
            writer.jsonString(post.text)
            writer.literal(#","timestamp":""#)
            timestamp.write(to: &writer)
            writer.literal(#"","user":"#)
            writer.jsonString(post.author)
            writer.byte(UInt8(ascii: "}"))
        }
    }

    /// The most `write` can take for `post` (every string byte escaped), and what it takes when
    /// nothing needs escaping — the usual case, from which a page estimates its capacity.
    static func lengths(of post: Micropost, links: LinkBuilder, timestampLength: Int) -> (maximum: Int, unescaped: Int) {
        // The keys, their quotes and colons, the commas and the braces.
        let punctuation = 62
        let maximum =
            punctuation + links.maximumMicropostLength(post.author) + ByteWriter.maximumDecimalLength
            + ByteWriter.maximumJSONLength(post.referenced) + ByteWriter.maximumJSONLength(post.text)
            + timestampLength + ByteWriter.maximumJSONLength(post.author)
        // An escape takes up to 6 bytes for 1, a percent-encoding 3 (the author is in the link).
        let author = post.author.utf8.count
        let escapable = author + post.text.utf8.count + (post.referenced?.utf8.count ?? 0)
        return (maximum, maximum - 5 * escapable - 2 * author)
    }
}

/// The `result` of a page of microposts, written from the data service's array as it came:
/// no body per post, no copies of the posts.
struct MicropostList: JSONWritable, Sendable {
    let posts: [Micropost]
    let links: LinkBuilder

    /// Every post reserves its worst case before it is written: room for the largest such
    /// excess on top of the usual total keeps the last posts from regrowing the buffer.
    var jsonCapacity: Int {
        var total = 2
        var largestExcess = 0
        posts.withUnsafeBufferPointer { posts in
            for index in posts.indices {
                let lengths = MicropostBody.lengths(of: posts[index], links: links, timestampLength: Timestamp.civilLength)
                total += lengths.unescaped + 1
                largestExcess = max(largestExcess, lengths.maximum - lengths.unescaped)
            }
        }
        return total + largestExcess
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for post in posts {
            try container.encode(MicropostBody(post: post, links: links))
        }
    }

    func writeJSON(to output: inout JSONOutput) {
        // By index into the buffer: a `for` loop would copy each post out, retaining its strings.
        posts.withUnsafeBufferPointer { posts in
            for index in posts.indices {
                MicropostBody.write(posts[index], links: links, after: UInt8(ascii: index == 0 ? "[" : ","), to: &output)
            }
        }
        output.write(atMost: 2) { posts.isEmpty ? $0.literal("[]") : $0.literal("]") }
    }
}
