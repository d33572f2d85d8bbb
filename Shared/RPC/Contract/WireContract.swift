/// Every method a service serves and every message and enum they carry, as the wire sees
/// them: what peers of different versions must agree on. A service commits its contract as
/// a text file (``rendered()``); a test compares the code with it (``problems(comparedWith:)``)
/// so that a change that would break a peer of the previous version fails before it ships.
public struct WireContract: Hashable, Sendable {
    public struct Method: Hashable, Sendable {
        public var name: String
        /// Raised for a change the rules do not allow: callers send a call only to an
        /// instance that serves the same version.
        public var version: Int
        public var isIdempotent: Bool
        public var request: String
        public var response: String
        /// The statuses the method answers besides those any call may end with.
        public var errors: [RPCStatusCode]

        public init(name: String, version: Int, isIdempotent: Bool, request: String, response: String, errors: [RPCStatusCode]) {
            self.name = name
            self.version = version
            self.isIdempotent = isIdempotent
            self.request = request
            self.response = response
            self.errors = errors
        }

        /// What the wire calls it (``RPCMethod/wireName``): versions of a method are distinct methods.
        public var wireName: String { version == 1 ? name : "\(name)@v\(version)" }
    }

    /// By wire name.
    public var methods: [String: Method] = [:]
    public var messages: [String: WireMessageSchema] = [:]
    public var enums: [String: WireEnumSchema] = [:]
    /// Tags of fields removed from a message: never to be used again, since a peer of an
    /// older version still reads them with their old meaning.
    public var retiredTags: [String: Set<UInt32>] = [:]
    /// Type names that stand for two different messages or enums (not part of the text form).
    public var nameClashes: Set<String> = []

    public init() {}

    /// Adds `method` with its request and response types.
    public mutating func add<Request, Response>(_ method: RPCMethod<Request, Response>) {
        let request = add(Request.wireSchema())
        let response = add(Response.wireSchema())
        methods[method.wireName] = Method(
            name: method.name, version: method.version, isIdempotent: method.isIdempotent, request: request, response: response,
            errors: method.errors.sorted { $0.rawValue < $1.rawValue })
    }

    private mutating func add(_ schema: WireSchema) -> String {
        nameClashes.formUnion(schema.nameClashes)
        for (name, message) in schema.messages {
            if let known = messages[name], known != message { nameClashes.insert(name) } else { messages[name] = message }
        }
        for (name, enumeration) in schema.enums {
            if let known = enums[name], known != enumeration { nameClashes.insert(name) } else { enums[name] = enumeration }
        }
        return schema.root.description
    }

    /// Rules each message must keep whatever its history: tags ascending and unique, names
    /// unique.
    public var declarationProblems: [String] {
        nameClashes.sorted().map { "\($0): two different types have this name; rename one so the contract can tell them apart" }
            + messages.keys.sorted().flatMap { messages[$0]?.declarationProblems ?? [] }
    }

    /// This contract as the next committed one: `previous`'s retired tags, plus the tags of
    /// fields that were in `previous` and are gone now.
    public func retiring(from previous: WireContract) -> WireContract {
        var next = self
        for (name, old) in previous.messages {
            guard let current = messages[name] else { continue }
            let gone = Set(old.fields.map(\.tag)).subtracting(current.fields.map(\.tag))
            let retired = previous.retiredTags[name, default: []].union(gone)
            if !retired.isEmpty { next.retiredTags[name] = retired }
        }
        return next
    }
}

/// The statuses any call may end with, whatever its method declares: the ones the RPC itself
/// produces (a payload it cannot decode, a deadline, overload, a peer that went away).
extension RPCStatusCode {
    public static let transportStatuses: Set<RPCStatusCode> = [
        .ok, .invalidArgument, .deadlineExceeded, .unavailable, .cancelled, .unimplemented, .internal, .resourceExhausted, .unauthenticated,
    ]
}
