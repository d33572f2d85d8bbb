import Hummingbird

/// A request's path and query parameters, each parsed and checked by the type its route
/// declares before the handler runs. The handler reads them by name; asking for one the route
/// does not declare is a programming error, answered as a 500.
public struct RouteParameters: Sendable {
    private let values: [(name: String, value: ParameterValue?)]

    init(values: [(name: String, value: ParameterValue?)]) {
        self.values = values
    }

    /// Parses `declared` from `request`: path segments from the router, query parameters from
    /// the query string (parameters the route does not declare are ignored).
    init(_ declared: [Parameter], request: Request, context: AppRequestContext) throws(APIError) {
        guard !declared.isEmpty else {
            values = []
            return
        }
        var query: [(name: String, value: String)]?
        var values: [(name: String, value: ParameterValue?)] = []
        values.reserveCapacity(declared.count)
        for parameter in declared {
            let text: String?
            switch parameter.location {
            case .path:
                let raw = context.parameters.get(parameter.name) ?? ""
                guard let decoded = FormURLEncoding.decode(raw[...], plusIsSpace: false) else {
                    throw .badRequest("\(parameter.name): not valid percent-encoded UTF-8.")
                }
                text = decoded
            case .query:
                if query == nil { query = try Self.query(request) }
                text = try Self.single(parameter.name, in: query ?? [])
            }
            if let text {
                values.append((parameter.name, try parameter.type.parse(text, name: parameter.name)))
            } else if parameter.isRequired {
                throw .badRequest("\(parameter.name): required.")
            } else {
                values.append((parameter.name, parameter.defaultValue.map(ParameterValue.integer)))
            }
        }
        self.values = values
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
        for entry in values where entry.name == name { return entry.value }
        throw Self.undeclared(name)
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
