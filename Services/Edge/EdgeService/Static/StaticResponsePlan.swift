import NIOHTTP1
import RPC

/// The status, headers and byte range of a static response, decided from the file's metadata
/// and the request's conditional and range headers alone — no I/O, so every rule is unit-tested.
struct StaticResponsePlan: Sendable, Equatable {
    var status: HTTPResponseStatus
    var headers: [(String, String)]
    /// Bytes of the file to send; nil when the response has no body.
    var range: Range<Int>?

    static func == (lhs: StaticResponsePlan, rhs: StaticResponsePlan) -> Bool {
        lhs.status == rhs.status && lhs.range == rhs.range
            && lhs.headers.elementsEqual(rhs.headers) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    init(file: StaticFileInfo, request: HTTPHeaders, cacheControl: String) {
        var headers: [(String, String)] = [
            ("Content-Type", file.contentType),
            ("ETag", file.validators.etag),
            ("Last-Modified", file.validators.lastModifiedText),
            ("Accept-Ranges", "bytes"),
        ]
        if !cacheControl.isEmpty { headers.append(("Cache-Control", cacheControl)) }
        if let encoding = file.contentEncoding { headers.append(("Content-Encoding", encoding)) }
        if file.hasEncodedVariant { headers.append(("Vary", "Accept-Encoding")) }

        let validators = file.validators
        if validators.isNotModified(
            ifNoneMatch: request.first(name: "if-none-match"), ifModifiedSince: request.first(name: "if-modified-since"))
        {
            // A 304 repeats the validators and caching headers, not the representation's framing.
            self.status = .notModified
            self.headers = headers.filter { $0.0 != "Content-Type" && $0.0 != "Accept-Ranges" && $0.0 != "Content-Encoding" }
            self.range = nil
            return
        }
        let rangeHeader = validators.rangeApplies(ifRange: request.first(name: "if-range")) ? request.first(name: "range") : nil
        switch ByteRange.evaluate(rangeHeader, size: file.size) {
        case .whole:
            self.status = .ok
            self.range = 0..<file.size
        case .partial(let first, let last):
            self.status = .partialContent
            headers.append(("Content-Range", "bytes \(first)-\(last)/\(file.size)"))
            self.range = first..<(last + 1)
        case .unsatisfiable:
            self.status = .rangeNotSatisfiable
            headers = [("Content-Range", "bytes */\(file.size)")]
            self.range = nil
        }
        self.headers = headers
    }
}

/// Whether the client takes gzip: `Accept-Encoding` lists `gzip` (or `*`) without `q=0`.
enum AcceptEncoding {
    static func allowsGzip(_ headers: HTTPHeaders) -> Bool {
        for value in headers[canonicalForm: "accept-encoding"] {
            let parts = value.split(separator: ";")
            let coding = parts.first.map { $0.trimmingOptionalWhitespace().lowercased() } ?? ""
            guard coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let refused = parts.dropFirst().contains { parameter in
                let pair = parameter.trimmingOptionalWhitespace().lowercased()
                guard pair.hasPrefix("q=") else { return false }
                return (Double(pair.dropFirst(2)) ?? 1) == 0
            }
            if !refused { return true }
        }
        return false
    }
}
