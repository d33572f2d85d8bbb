import Hummingbird

/// A request's query string, decoded once, with errors that name the parameter.
struct QueryParameters: Sendable {
    private let pairs: [(name: String, value: String)]

    init(_ request: Request) throws(APIError) {
        guard let query = request.uri.query else {
            pairs = []
            return
        }
        guard let pairs = FormURLEncoding.parse(query[...]) else {
            throw .badRequest("query: not a valid URL query string.")
        }
        self.pairs = pairs
    }

    /// A parameter given at most once; repeating it is ambiguous and refused.
    func single(_ name: String) throws(APIError) -> String? {
        let values = pairs.filter { $0.name == name }
        guard values.count <= 1 else { throw .badRequest("\(name): given more than once.") }
        return values.first?.value
    }

    func int(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws(APIError) -> Int {
        guard let text = try single(name) else { return defaultValue }
        // Digits only: `Int` would also take "+5", which no client means.
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(text), range.contains(value)
        else {
            throw .badRequest("\(name): must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }
}
