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
        // Routed on the target's UTF-8 bytes in place: generic `Substring.UTF8View` walks
        // (index checks, non-contiguous paths) were about a twentieth of a static request's CPU.
        var target = target
        self = target.withUTF8 { Self.route(method: method, target: $0, upstreams: upstreams) }
    }

    private static func route(method: HTTPMethod, target: UnsafeBufferPointer<UInt8>, upstreams: UpstreamRoutes) -> EdgeRoute {
        let end = target.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) ?? target.endIndex
        let path = UnsafeBufferPointer(rebasing: target[..<end])
        if let index = upstreams.match(path) { return .upstream(index) }
        switch StaticPath.parse(path) {
        case .success(let staticPath):
            return method.isGET || method.isHEAD ? .staticFile(staticPath) : .methodNotAllowed
        case .failure(.notStatic), .failure(.hidden):
            return .notFound
        case .failure(.malformed), .failure(.traversal):
            return .badPath
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
        var path = path
        return path.withUTF8 { match($0) }
    }

    /// - Parameter path: The path's UTF-8 bytes.
    func match(_ path: UnsafeBufferPointer<UInt8>) -> Int? {
        for index in byLength {
            let prefix = prefixes[index].utf8
            if path.starts(with: prefix) || path.elementsEqual(prefix.dropLast()) { return index }
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

extension HTTPMethod {
    // Matched by case: `==` on HTTPMethod goes through `RawRepresentable` and builds both
    // methods' raw-value strings, several times per request on the static path.
    var isGET: Bool {
        if case .GET = self { true } else { false }
    }

    var isHEAD: Bool {
        if case .HEAD = self { true } else { false }
    }
}
