public import RPC

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A micropost as stored: `text` is 1–255 Unicode code points.
public struct Micropost: WireMessage, Hashable {
    /// Grows with every new post, so id order is creation order (lists are newest first by id).
    public var id: Int64
    /// The author's username.
    public var author: String
    public var text: String
    /// The username the post refers to, if any.
    public var referenced: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int64, author: String, text: String, referenced: String?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.author = author
        self.text = text
        self.referenced = referenced
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Micropost {
    public init() {
        self.init(
            id: 0, author: "", text: "", referenced: nil, createdAt: Date(timeIntervalSinceReferenceDate: 0),
            updatedAt: Date(timeIntervalSinceReferenceDate: 0))
    }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "id", &id)
        try fields.field(2, "author", &author)
        try fields.field(3, "text", &text)
        try fields.field(4, "referenced", &referenced)
        try fields.field(5, "createdAt", &createdAt)
        try fields.field(6, "updatedAt", &updatedAt)
    }
}
