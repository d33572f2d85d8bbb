public import RPC

// Every method here may also fail with `invalidArgument` for a malformed username, id, text
// or page (the message names the field), `unavailable` when the database cannot be reached,
// and `deadlineExceeded` when the query outlives the call's deadline.

extension RPCMethod where Request == CreateMicropostRequest, Response == Micropost {
    /// Errors: `notFound` (no such author), `invalidArgument` (text not 1–255 characters,
    /// referenced user does not exist). Not idempotent: a repeat creates a second post.
    public static let createMicropost = RPCMethod(name: "microposts.create", isIdempotent: false, errors: [.notFound])
}

extension RPCMethod where Request == GetMicropostRequest, Response == Micropost {
    /// Errors: `notFound` (no such user, or no such post in that user's collection).
    public static let getMicropost = RPCMethod(name: "microposts.get", isIdempotent: true, errors: [.notFound])
}

extension RPCMethod where Request == ReplaceMicropostRequest, Response == Micropost {
    /// Sets text and referenced user (nil clears it).
    ///
    /// Errors: `notFound` (no such post in that collection), `permissionDenied` (the acting
    /// user is not the author), `invalidArgument` (text, unknown referenced user).
    public static let replaceMicropost = RPCMethod(name: "microposts.replace", isIdempotent: true, errors: [.notFound, .permissionDenied])
}

extension RPCMethod where Request == PatchMicropostRequest, Response == Micropost {
    /// Changes only the fields given. Errors as for `microposts.replace`.
    public static let patchMicropost = RPCMethod(name: "microposts.patch", isIdempotent: true, errors: [.notFound, .permissionDenied])
}

extension RPCMethod where Request == DeleteMicropostRequest, Response == NoContent {
    /// Errors: `notFound`, `permissionDenied` as for `microposts.replace`. Not idempotent:
    /// a repeat after success is `notFound`.
    public static let deleteMicropost = RPCMethod(name: "microposts.delete", isIdempotent: false, errors: [.notFound, .permissionDenied])
}

extension RPCMethod where Request == UserListRequest, Response == Page<Micropost> {
    /// The user's own microposts, newest first. Errors: `notFound` (no such user).
    public static let listMicroposts = RPCMethod(name: "microposts.list", isIdempotent: true, errors: [.notFound])

    /// Microposts of the users the user follows, newest first. Errors: `notFound` (no such user);
    /// `resourceExhausted` when the calling user (metadata `caller`) has too many searches and
    /// timelines running, `unavailable` when everyone together has.
    public static let timeline = RPCMethod(name: "microposts.timeline", isIdempotent: true, errors: [.notFound])
}

extension RPCMethod where Request == SearchMicropostsRequest, Response == Page<Micropost> {
    /// Microposts whose text contains `text` (case-insensitive; `%`, `_` and `\` match
    /// themselves), optionally only by users whose name contains `username`; newest first.
    ///
    /// Errors: `invalidArgument` (text shorter than 3 or longer than 255 characters, username
    /// filter longer than 50, or a page beyond the result window); `resourceExhausted` and
    /// `unavailable` as for `microposts.timeline`.
    public static let searchMicroposts = RPCMethod(name: "microposts.search", isIdempotent: true)
}
