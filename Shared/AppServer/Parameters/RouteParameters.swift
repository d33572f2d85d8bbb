import Hummingbird

/// A request's path and query parameters, each parsed and checked by the type its route
/// declares before the handler runs. The handler reads them by name; asking for one the route
/// does not declare is a programming error, answered as a 500.
public struct RouteParameters: Sendable {
    private var values = InlineEntries()

    /// Parses `declared` from `request`: path segments from the router, query parameters from
    /// the query string (parameters the route does not declare are ignored).
    init(_ declared: [Parameter], request: Request, context: AppRequestContext) throws(APIError) {
        guard !declared.isEmpty else { return }
        var query: [(name: String, value: String)]?
        for parameter in declared {
            let text: String?
            switch parameter.location {
            case .path:
                let raw = context.parameters.get(parameter.name) ?? ""
                if case .integer = parameter.type.kind {
                    // Digits as they are: `%31` is not another spelling of `1`, so one resource
                    // has one URL.
                    text = raw
                } else if let decoded = FormURLEncoding.decode(raw[...], plusIsSpace: false) {
                    text = decoded
                } else {
                    throw .badRequest("\(parameter.name): not valid percent-encoded UTF-8.")
                }
            case .query:
                if query == nil { query = try Self.query(request) }
                text = try Self.single(parameter.name, in: query ?? [])
            }
            if let text {
                values.append(Entry(name: parameter.name, value: try parameter.type.parse(text, name: parameter.name)))
            } else if parameter.isRequired {
                throw .badRequest("\(parameter.name): required.")
            } else {
                values.append(Entry(name: parameter.name, value: parameter.defaultValue.map(ParameterValue.integer)))
            }
        }
    }

    /// A declared integer parameter that is required or has a default.
    public func integer(_ name: String) throws(APIError) -> Int64 {
        guard let value = try optionalInteger(name) else { throw Self.undeclared(name) }
        return value
    }

    /// A declared integer parameter; nil when absent.
    public func optionalInteger(_ name: String) throws(APIError) -> Int64? {
        switch try value(name) {
        case .integer(let value)?: return value
        case nil: return nil
        case .string?: throw Self.undeclared(name)
        }
    }

    /// A declared string parameter that is required (every path parameter is).
    public func string(_ name: String) throws(APIError) -> String {
        guard let value = try optionalString(name) else { throw Self.undeclared(name) }
        return value
    }

    /// A declared string parameter; nil when absent.
    public func optionalString(_ name: String) throws(APIError) -> String? {
        switch try value(name) {
        case .string(let value)?: return value
        case nil: return nil
        case .integer?: throw Self.undeclared(name)
        }
    }

    private func value(_ name: String) throws(APIError) -> ParameterValue? {
        guard let entry = values.first(named: name) else { throw Self.undeclared(name) }
        return entry.value
    }

    private static func undeclared(_ name: String) -> APIError {
        assertionFailure("the route does not declare a parameter \(name) of that kind")
        return .internal
    }

    private static func query(_ request: Request) throws(APIError) -> [(name: String, value: String)] {
        guard let query = request.uri.query else { return [] }
        guard let pairs = FormURLEncoding.parse(query[...]) else {
            throw .badRequest("query: not a valid URL query string.")
        }
        return pairs
    }

    /// A parameter given at most once; repeating it is ambiguous and refused.
    private static func single(_ name: String, in pairs: [(name: String, value: String)]) throws(APIError) -> String? {
        var found: String?
        for pair in pairs where pair.name == name {
            guard found == nil else { throw .badRequest("\(name): given more than once.") }
            found = pair.value
        }
        return found
    }
}

private struct Entry: Sendable {
    let name: String
    let value: ParameterValue?
}

/// Up to four entries kept in place, the rest in an array: routes rarely declare more, and
/// a request then parses its parameters without allocating for them.
private struct InlineEntries: Sendable {
    private var first: Entry?
    private var second: Entry?
    private var third: Entry?
    private var fourth: Entry?
    private var more: [Entry] = []

    mutating func append(_ entry: Entry) {
        if first == nil {
            first = entry
        } else if second == nil {
            second = entry
        } else if third == nil {
            third = entry
        } else if fourth == nil {
            fourth = entry
        } else {
            more.append(entry)
        }
    }

    func first(named name: String) -> Entry? {
        if let first, first.name == name { return first }
        if let second, second.name == name { return second }
        if let third, third.name == name { return third }
        if let fourth, fourth.name == name { return fourth }
        return more.first { $0.name == name }
    }
}
