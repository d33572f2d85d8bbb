public import Hummingbird

/// `{"next": <url|null>, "previous": <url|null>, "result": [...]}` — one page of a list paged
/// by a `page` query parameter (numbered from 1), with links to its neighbours.
public struct PaginatedBody<Items: Encodable & Sendable>: Encodable, Sendable {
    /// The next page's URL; nil on the last page.
    public var next: String?
    /// The previous page's URL; nil on the first.
    public var previous: String?
    /// The page's items, which encode as a JSON array.
    public var result: Items

    /// Links to the neighbouring pages of `request`'s own URL, keeping its other parameters.
    /// Beyond the last page the result is empty, with no `next` and a `previous`, so a client
    /// that overshot can walk back.
    public init(result: Items, hasNext: Bool, page: Int, request: Request, origin: RequestOrigin) {
        self.result = result
        next = hasNext ? Self.link(to: page + 1, request: request, origin: origin) : nil
        previous = page > 1 ? Self.link(to: page - 1, request: request, origin: origin) : nil
    }

    /// A page with its links given.
    public init(result: Items, next: String?, previous: String?) {
        self.result = result
        self.next = next
        self.previous = previous
    }

    private enum CodingKeys: String, CodingKey { case next, previous, result }

    /// Both links always present, `null` when there is none.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // Explicit nulls: the API promises both keys on every page.
        try container.encode(next, forKey: .next)
        try container.encode(previous, forKey: .previous)
        try container.encode(result, forKey: .result)
    }

    /// The request's own query with `page` set to `number`: other parameters keep their
    /// order and their exact encoding.
    private static func link(to number: Int, request: Request, origin: RequestOrigin) -> String {
        var parts: [String] = []
        var replaced = false
        for part in (request.uri.query ?? "").split(separator: "&") {
            let name = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.flatMap {
                FormURLEncoding.decode($0)
            }
            if name == "page" {
                if !replaced { parts.append("page=\(number)") }
                replaced = true
            } else {
                parts.append(String(part))
            }
        }
        if !replaced { parts.append("page=\(number)") }
        return origin.url(request.uri.path, query: parts.joined(separator: "&"))
    }
}

extension PaginatedBody: JSONWritable where Items: JSONWritable {
    /// The links, the keys and the items.
    @inlinable
    public var jsonCapacity: Int {
        32 + (next?.utf8.count ?? 4) + (previous?.utf8.count ?? 4) + result.jsonCapacity
    }

    /// Byte for byte what `encode(to:)` produces.
    @inlinable
    public func writeJSON(to output: inout JSONOutput) {
        // 30 bytes of keys and punctuation before the array.
        output.write(atMost: 30 + ByteWriter.maximumJSONLength(next) + ByteWriter.maximumJSONLength(previous)) { writer in
            writer.literal(#"{"next":"#)
            writer.jsonString(next)
            writer.literal(#","previous":"#)
            writer.jsonString(previous)
            writer.literal(#","result":"#)
        }
        result.writeJSON(to: &output)
        output.write(atMost: 1) { $0.byte(UInt8(ascii: "}")) }
    }
}
