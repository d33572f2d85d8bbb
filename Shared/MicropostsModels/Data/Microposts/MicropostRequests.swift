// Requests about one micropost name it by its collection (`username`, the author in the API
// path) and its `id`; a post that exists but is in another collection is "not found" there.
// Writes also name who asks (`actingUsername`); only the author may change a post.

public struct CreateMicropostRequest: Codable, Sendable, Hashable {
    /// The author. The caller has checked that the authenticated user is this user.
    public var username: String
    public var text: String
    /// A username the post refers to; it must exist.
    public var referenced: String?

    public init(username: String, text: String, referenced: String? = nil) {
        self.username = username
        self.text = text
        self.referenced = referenced
    }
}

public struct GetMicropostRequest: Codable, Sendable, Hashable {
    public var username: String
    public var id: Int64

    public init(username: String, id: Int64) {
        self.username = username
        self.id = id
    }
}

public struct ReplaceMicropostRequest: Codable, Sendable, Hashable {
    public var username: String
    public var id: Int64
    public var actingUsername: String
    public var text: String
    public var referenced: String?

    public init(username: String, id: Int64, actingUsername: String, text: String, referenced: String?) {
        self.username = username
        self.id = id
        self.actingUsername = actingUsername
        self.text = text
        self.referenced = referenced
    }
}

public struct PatchMicropostRequest: Codable, Sendable, Hashable {
    public var username: String
    public var id: Int64
    public var actingUsername: String
    /// nil keeps the text.
    public var text: String?
    public var referenced: NullableUpdate<String>

    public init(username: String, id: Int64, actingUsername: String, text: String? = nil, referenced: NullableUpdate<String> = .keep) {
        self.username = username
        self.id = id
        self.actingUsername = actingUsername
        self.text = text
        self.referenced = referenced
    }
}

public struct DeleteMicropostRequest: Codable, Sendable, Hashable {
    public var username: String
    public var id: Int64
    public var actingUsername: String

    public init(username: String, id: Int64, actingUsername: String) {
        self.username = username
        self.id = id
        self.actingUsername = actingUsername
    }
}

/// A user's own microposts (their collection) or their timeline (posts of whom they follow).
public struct UserListRequest: Codable, Sendable, Hashable {
    public var username: String
    public var page: PageRequest

    public init(username: String, page: PageRequest = PageRequest()) {
        self.username = username
        self.page = page
    }
}

public struct SearchMicropostsRequest: Codable, Sendable, Hashable {
    /// At least 3 characters, matched case-insensitively anywhere in the text.
    public var text: String
    /// When set, only authors whose username contains it (case-insensitively).
    public var username: String?
    public var page: PageRequest

    public init(text: String, username: String? = nil, page: PageRequest = PageRequest()) {
        self.text = text
        self.username = username
        self.page = page
    }
}
