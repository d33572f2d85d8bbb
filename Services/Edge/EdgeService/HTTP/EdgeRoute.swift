import NIOHTTP1

/// Where a request goes, decided from its method and target alone.
enum EdgeRoute: Sendable, Equatable {
    /// To the app servers of upstream route `index` (see ``UpstreamRoutes``).
    case upstream(Int)
    case staticFile(StaticPath)
    /// The target is not something the edge serves.
    case notFound
    /// A static path tried to leave the folder or was malformed.
    case badPath
    case methodNotAllowed

    init(method: HTTPMethod, target: String, upstreams: UpstreamRoutes = .default) {
        let path =
            target.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") })
            .map { target[..<$0] } ?? target[...]
        if let index = upstreams.match(path) {
            self = .upstream(index)
            return
        }
        switch StaticPath.parse(path) {
        case .success(let staticPath):
            self = method == .GET || method == .HEAD ? .staticFile(staticPath) : .methodNotAllowed
        case .failure(.notStatic), .failure(.hidden):
            self = .notFound
        case .failure(.malformed), .failure(.traversal):
            self = .badPath
        }
    }

    var isUpstream: Bool {
        if case .upstream = self { true } else { false }
    }
}

/// The path prefixes forwarded to app servers, as nginx's `location /prefix/ { proxy_pass … }`:
/// `/api/` (the workers, `--worker-target`) and any `--routes`. A prefix ends with `/`, and the
/// path without that slash (`/api`) goes to the same upstream. The longest matching prefix
/// wins; prefixes match byte by byte, as nginx's do.
struct UpstreamRoutes: Sendable, Equatable {
    /// In upstream-index order.
    let prefixes: [String]
    /// Indices into `prefixes`, longest prefix first.
    private let byLength: [Int]

    static let apiPrefix = "/api/"
    static let `default` = UpstreamRoutes(prefixes: [apiPrefix])

    init(prefixes: [String]) {
        self.prefixes = prefixes
        self.byLength = prefixes.indices.sorted { prefixes[$0].utf8.count > prefixes[$1].utf8.count }
    }

    func match(_ path: Substring) -> Int? {
        for index in byLength {
            let prefix = prefixes[index].utf8
            if path.utf8.starts(with: prefix) || path.utf8.elementsEqual(prefix.dropLast()) { return index }
        }
        return nil
    }

    /// Why `prefix` cannot be an upstream route, or nil when it can.
    static func problem(with prefix: String) -> String? {
        guard prefix.hasPrefix("/"), prefix.hasSuffix("/"), prefix.utf8.count > 1 else {
            return "a route prefix starts and ends with / and is not / alone (\"\(prefix)\")"
        }
        guard !prefix.hasPrefix(StaticPath.prefix), !StaticPath.prefix.hasPrefix(prefix) else {
            return "\(prefix) would hide the static files under \(StaticPath.prefix)"
        }
        guard prefix.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }) else {
            return "a route prefix is printable ASCII without ? or # (\"\(prefix)\")"
        }
        return nil
    }
}
