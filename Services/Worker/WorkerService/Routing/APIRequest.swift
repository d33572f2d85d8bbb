import Hummingbird
import MicropostsModels

/// A request as a route handler sees it: the HTTP request, its context, and typed access to
/// path parameters, query and body with the API's error messages.
struct APIRequest: Sendable {
    let request: Request
    let context: WorkerRequestContext

    var links: LinkBuilder { context.links }

    /// A `{username}`-like path segment. One that cannot be a username names nobody: 404.
    func username(_ parameter: String = "username") throws(APIError) -> String {
        let raw = context.parameters.get(parameter) ?? ""
        guard let name = FormURLEncoding.decode(raw[...], plusIsSpace: false), (try? DataValidation.username(name)) != nil else {
            throw .notFound("No user named \(raw).")
        }
        return name
    }

    /// The `{id}` segment: a positive integer, else no such micropost.
    func micropostID() throws(APIError) -> Int64 {
        let raw = context.parameters.get("id") ?? ""
        guard raw.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let id = Int64(raw), id > 0 else {
            throw .notFound("No micropost with id \(raw).")
        }
        return id
    }

    func query() throws(APIError) -> QueryParameters {
        try QueryParameters(request)
    }

    func page() throws(APIError) -> PageParameters {
        try PageParameters(query())
    }

    func fields(accepting mediaTypes: [BodyReader.MediaType] = [.json]) async throws -> RequestFields {
        try await BodyReader.fields(of: request, context: context, accepting: mediaTypes)
    }

    /// A paginated list of `items`, with links to the neighbouring pages.
    func list(_ items: some JSONWritable & Sendable, hasNext: Bool, page: PageParameters) -> Response {
        JSONResponse.make(status: .ok, body: PaginatedBody(result: items, hasNext: hasNext, page: page, request: request, links: links))
    }
}
