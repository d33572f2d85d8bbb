/// Absolute URLs of the API's resources, built from the origin the client used so that links
/// work from wherever the response is read.
struct LinkBuilder: Sendable {
    let origin: RequestOrigin

    func user(_ username: String) -> String {
        url("/api/users/\(segment(username))")
    }

    func collection(_ username: String) -> String {
        url("/api/users/\(segment(username))/collection")
    }

    func micropost(_ username: String, id: Int64) -> String {
        url("/api/users/\(segment(username))/collection/\(id)")
    }

    func follow(_ username: String, following other: String) -> String {
        url("/api/users/\(segment(username))/following/\(segment(other))")
    }

    /// `path` (as received, still percent-encoded) with `query`.
    func url(_ path: String, query: String? = nil) -> String {
        guard let query, !query.isEmpty else { return origin.baseURL + path }
        return origin.baseURL + path + "?" + query
    }

    private func segment(_ text: String) -> String {
        FormURLEncoding.encode(text)
    }
}
