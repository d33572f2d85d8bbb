import Foundation
import MicropostsModels

/// `{"id", "href", "user", "text", "referenced", "timestamp"}` — a micropost as clients see it.
struct MicropostBody: JSONWritable, Sendable {
    var id: Int64
    var href: String
    var user: String
    var text: String
    var referenced: String?
    var timestamp: String

    init(_ post: Micropost, links: LinkBuilder) {
        id = post.id
        href = links.micropost(post.author, id: post.id)
        user = post.author
        text = post.text
        referenced = post.referenced
        // Milliseconds keep posts made within one second apart distinguishable.
        timestamp = Timestamp.iso8601(post.createdAt)
    }

    private enum CodingKeys: String, CodingKey { case id, href, user, text, referenced, timestamp }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(href, forKey: .href)
        try container.encode(user, forKey: .user)
        try container.encode(text, forKey: .text)
        // An explicit null: the field is always present.
        try container.encode(referenced, forKey: .referenced)
        try container.encode(timestamp, forKey: .timestamp)
    }

    func writeJSON(to output: inout JSONOutput) {
        output.key("href", first: true)
        output.string(href)
        output.key("id")
        output.integer(id)
        output.key("referenced")
        output.string(referenced)
        output.key("text")
        output.string(text)
        output.key("timestamp")
        output.string(timestamp)
        output.key("user")
        output.string(user)
        output.endObject()
    }
}
