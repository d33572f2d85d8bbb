import AppServer

/// Absolute URLs of the API's resources, built from the origin the client used so that links
/// work from wherever the response is read.
struct LinkBuilder: Sendable {
    let origin: RequestOrigin

    private static let usersPath: StaticString = "/api/users/"
    private static let collectionPath: StaticString = "/collection/"

    func user(_ username: String) -> String {
        url("/api/users/\(segment(username))")
    }

    func collection(_ username: String) -> String {
        url("/api/users/\(segment(username))/collection")
    }

    func micropost(_ username: String, id: Int64) -> String {
        String(unsafeUninitializedCapacity: maximumMicropostLength(username)) { buffer in
            var writer = ByteWriter(UnsafeMutableRawBufferPointer(buffer))
            writeMicropost(username, id: id, to: &writer)
            return writer.count
        }
    }

    /// The longest `writeMicropost` for `username`: every byte of it percent-encoded.
    func maximumMicropostLength(_ username: String) -> Int {
        origin.baseURL.utf8.count + Self.usersPath.utf8CodeUnitCount + FormURLEncoding.maximumEncodedLength(username)
            + Self.collectionPath.utf8CodeUnitCount + ByteWriter.maximumDecimalLength
    }

    /// `micropost(username, id:)` written in place, as a page of posts writes one per post.
    func writeMicropost(_ username: String, id: Int64, to writer: inout ByteWriter) {
        writer.utf8(origin.baseURL)
        writer.literal(Self.usersPath)
        FormURLEncoding.encode(username, to: &writer)
        writer.literal(Self.collectionPath)
        writer.decimal(id)
    }

    func follow(_ username: String, following other: String) -> String {
        url("/api/users/\(segment(username))/following/\(segment(other))")
    }

    func url(_ path: String) -> String {
        origin.url(path)
    }

    private func segment(_ text: String) -> String {
        FormURLEncoding.encode(text)
    }
}
