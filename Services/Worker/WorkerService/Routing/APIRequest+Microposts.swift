import AppServer
import Hummingbird

/// Microposts' readings of a request: its parameters by their meaning, links and lists.
extension APIRequest {
    var links: LinkBuilder { context.links }

    /// A `{username}`-like path segment, already checked against the username rule.
    func username(_ parameter: String = "username") throws(APIError) -> String {
        try parameters.string(parameter)
    }

    /// The `{id}` segment, already checked to be a positive integer.
    func micropostID() throws(APIError) -> Int64 {
        try parameters.integer("id")
    }

    func page() throws(APIError) -> PageParameters {
        try PageParameters(parameters)
    }

    /// A paginated list of `items`, with links to the neighbouring pages.
    func list(_ items: some JSONWritable & Sendable, hasNext: Bool, page: PageParameters) -> Response {
        JSONResponse.make(
            status: .ok, body: PaginatedBody(result: items, hasNext: hasNext, page: page.page, request: request, origin: context.origin))
    }
}

extension AppRequestContext {
    var links: LinkBuilder { LinkBuilder(origin: origin) }
}
