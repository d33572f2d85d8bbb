import NIOHTTP1
import RPC

/// The status, headers and byte range of a static response, decided from the file's metadata
/// and the request's conditional and range headers alone — no I/O, so every rule is unit-tested.
struct StaticResponsePlan: Sendable, Equatable {
    var status: HTTPResponseStatus
    /// The file's representation fields (``representationFields(file:cacheControl:)``), sent
    /// with a 200 or 206; nil for a 304 or 416.
    var representation: EncodedFields?
    /// The fields after the representation's: `Content-Range`, or a 304's validators.
    var headers: [(String, String)]
    /// Bytes of the file to send; nil when the response has no body.
    var range: Range<Int>?

    /// Every field of the response, in order.
    var fields: [(String, String)] { (representation?.list ?? []) + headers }

    static func == (lhs: StaticResponsePlan, rhs: StaticResponsePlan) -> Bool {
        lhs.status == rhs.status && lhs.range == rhs.range
            && lhs.fields.elementsEqual(rhs.fields) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// What describes the file in a 200, in order. Encoded once per cached file
    /// (``StaticFileCache/Entry/representation``), so a hot file's responses copy it as bytes.
    static func representationFields(file: StaticFileInfo, cacheControl: String) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("Content-Type", file.contentType),
            ("ETag", file.validators.etag),
            ("Last-Modified", file.validators.lastModifiedText),
            ("Accept-Ranges", "bytes"),
        ]
        if !cacheControl.isEmpty { fields.append(("Cache-Control", cacheControl)) }
        if let encoding = file.contentEncoding { fields.append(("Content-Encoding", encoding)) }
        if file.hasEncodedVariant { fields.append(("Vary", "Accept-Encoding")) }
        return fields
    }

    init(file: StaticFileInfo, request: HTTPHeaders, cacheControl: String) {
        self.init(
            file: file, representation: EncodedFields(Self.representationFields(file: file, cacheControl: cacheControl)),
            request: request)
    }

    /// - Parameter representation: ``representationFields(file:cacheControl:)`` of `file`, encoded.
    init(file: StaticFileInfo, representation: EncodedFields, request: HTTPHeaders) {
        let validators = file.validators
        if validators.isNotModified(
            ifNoneMatch: request.first(name: "if-none-match"), ifModifiedSince: request.first(name: "if-modified-since"))
        {
            // A 304 repeats the validators and caching headers, not the representation's framing.
            self.status = .notModified
            self.representation = nil
            self.headers = representation.list.filter {
                $0.0 != "Content-Type" && $0.0 != "Accept-Ranges" && $0.0 != "Content-Encoding"
            }
            self.range = nil
            return
        }
        let rangeHeader = request.first(name: "range").flatMap {
            validators.rangeApplies(ifRange: request.first(name: "if-range")) ? $0 : nil
        }
        self.representation = representation
        self.headers = []
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
            self.representation = nil
            headers = [("Content-Range", "bytes */\(file.size)")]
            self.range = nil
        }
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
