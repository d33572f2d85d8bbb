public import RPC

// Requests about one micropost name it by its collection (`username`, the author in the API
// path) and its `id`; a post that exists but is in another collection is "not found" there.
// Writes also name who asks (`actingUsername`); only the author may change a post.

public struct CreateMicropostRequest: WireMessage, Hashable {
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

public struct GetMicropostRequest: WireMessage, Hashable {
    public var username: String
    public var id: Int64

    public init(username: String, id: Int64) {
        self.username = username
        self.id = id
    }
}

public struct ReplaceMicropostRequest: WireMessage, Hashable {
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

public struct PatchMicropostRequest: WireMessage, Hashable {
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

public struct DeleteMicropostRequest: WireMessage, Hashable {
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
public struct UserListRequest: WireMessage, Hashable {
    public var username: String
    public var page: PageRequest

    public init(username: String, page: PageRequest = PageRequest()) {
        self.username = username
        self.page = page
    }
}

public struct SearchMicropostsRequest: WireMessage, Hashable {
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

extension CreateMicropostRequest {
    public init() { self.init(username: "", text: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
        try fields.field(2, "text", &text)
        try fields.field(3, "referenced", &referenced)
    }
}

extension GetMicropostRequest {
    public init() { self.init(username: "", id: 0) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
        try fields.field(2, "id", &id)
    }
}

extension ReplaceMicropostRequest {
    public init() { self.init(username: "", id: 0, actingUsername: "", text: "", referenced: nil) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
        try fields.field(2, "id", &id)
        try fields.field(3, "actingUsername", &actingUsername)
        try fields.field(4, "text", &text)
        try fields.field(5, "referenced", &referenced)
    }
}

extension PatchMicropostRequest {
    public init() { self.init(username: "", id: 0, actingUsername: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
        try fields.field(2, "id", &id)
        try fields.field(3, "actingUsername", &actingUsername)
        try fields.field(4, "text", &text)
        try fields.field(5, "referenced", &referenced)
    }
}

extension DeleteMicropostRequest {
    public init() { self.init(username: "", id: 0, actingUsername: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
        try fields.field(2, "id", &id)
        try fields.field(3, "actingUsername", &actingUsername)
    }
}

extension UserListRequest {
    public init() { self.init(username: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "username", &username)
        try fields.field(2, "page", &page)
    }
}

extension SearchMicropostsRequest {
    public init() { self.init(text: "") }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "text", &text)
        try fields.field(2, "username", &username)
        try fields.field(3, "page", &page)
    }
}
