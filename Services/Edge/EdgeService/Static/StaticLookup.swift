import NIOCore

/// What the static folder holds for one request, found off the event loop.
enum StaticLookup: Sendable {
    case file(StaticFile)
    /// A small file read whole, to be answered from memory and cached.
    case contents(StaticFileInfo, ByteBuffer)
    /// A directory listing, already rendered (only when listings are enabled).
    case listing(html: String)
    /// A directory asked for without its trailing slash; relative links need the slash.
    case redirectToDirectory
    case notFound
    /// Exists but is not served: a directory without index or listing, a special file, or a
    /// symbolic link that resolves outside the folder.
    case forbidden
}

/// An open regular file, ready to be sent with sendfile.
struct StaticFile: Sendable {
    let handle: NIOFileHandle
    let info: StaticFileInfo
}

/// What the response headers are made of: everything about the file but the descriptor.
struct StaticFileInfo: Sendable, Equatable {
    let size: Int
    let validators: Validators
    let contentType: String
    /// `gzip` when the precompressed sibling is what was opened.
    let contentEncoding: String?
    /// A precompressed sibling exists, so the response depends on `Accept-Encoding`.
    let hasEncodedVariant: Bool
}
