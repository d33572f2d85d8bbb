import NIOHTTP1

/// Where a request goes, decided from its method and target alone.
enum EdgeRoute: Sendable, Equatable {
    case api
    case staticFile(StaticPath)
    /// The target is not something the edge serves.
    case notFound
    /// A static path tried to leave the folder or was malformed.
    case badPath
    case methodNotAllowed

    static let apiPrefix = "/api/"

    init(method: HTTPMethod, target: String) {
        let path = target.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") })
            .map { target[..<$0] } ?? target[...]
        if path.utf8.starts(with: Self.apiPrefix.utf8) || path.utf8.elementsEqual("/api".utf8) {
            self = .api
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
}
