import Hummingbird

/// `{"next": <url|null>, "previous": <url|null>, "result": [...]}` — the shape of every list.
struct PaginatedBody<Item: Encodable & Sendable>: Encodable, Sendable {
    var next: String?
    var previous: String?
    var result: [Item]

    /// Links to the neighbouring pages of `request`'s own URL, keeping its other parameters.
    /// Beyond the last page the result is empty, with no `next` and a `previous`, so a client
    /// that overshot can walk back.
    init(result: [Item], hasNext: Bool, page: PageParameters, request: Request, links: LinkBuilder) {
        self.result = result
        next = hasNext ? Self.link(to: page.page + 1, request: request, links: links) : nil
        previous = page.page > 1 ? Self.link(to: page.page - 1, request: request, links: links) : nil
    }

    init(result: [Item], next: String?, previous: String?) {
        self.result = result
        self.next = next
        self.previous = previous
    }

    private enum CodingKeys: String, CodingKey { case next, previous, result }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // Explicit nulls: the API promises both keys on every page.
        try container.encode(next, forKey: .next)
        try container.encode(previous, forKey: .previous)
        try container.encode(result, forKey: .result)
    }

    /// The request's own query with `page` set to `number`: other parameters keep their
    /// order and their exact encoding.
    private static func link(to number: Int, request: Request, links: LinkBuilder) -> String {
        var parts: [String] = []
        var replaced = false
        for part in (request.uri.query ?? "").split(separator: "&") {
            let name = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.flatMap { FormURLEncoding.decode($0) }
            if name == "page" {
                if !replaced { parts.append("page=\(number)") }
                replaced = true
            } else {
                parts.append(String(part))
            }
        }
        if !replaced { parts.append("page=\(number)") }
        return links.url(request.uri.path, query: parts.joined(separator: "&"))
    }
}

extension PaginatedBody: JSONWritable where Item: JSONWritable {
    func writeJSON(to output: inout JSONOutput) {
        output.key("next", first: true)
        output.string(next)
        output.key("previous")
        output.string(previous)
        output.key("result")
        output.array(result)
        output.endObject()
    }
}
