// The committed form of a contract: plain lines, sorted, so that a review shows a change to
// the wire as a small diff.
//
//     method microposts.get v1 idempotent request GetMicropostRequest response Micropost errors notFound
//
//     message Micropost
//       1 id int64 required
//       4 referenced string optional
//       retired 7
//
//     enum Status fallback unknown
//       0 unknown
//       1 serving

extension WireContract {
    /// The contract as text; ``init(text:)`` reads it back.
    public func rendered(header: [String] = []) -> String {
        var lines = header.map { "# \($0)" }
        if !lines.isEmpty { lines.append("") }
        for method in methods.values.sorted(by: { ($0.name, $0.version) < ($1.name, $1.version) }) {
            var line = "method \(method.name) v\(method.version)"
            if method.isIdempotent { line += " idempotent" }
            line += " request \(method.request) response \(method.response)"
            if !method.errors.isEmpty { line += " errors " + method.errors.map(\.description).joined(separator: ",") }
            lines.append(line)
        }
        for message in messages.values.sorted(by: { $0.name < $1.name }) {
            lines.append("")
            lines.append("message \(message.name)")
            for field in message.fields {
                lines.append("  \(field.tag) \(field.name) \(field.type) \(field.presence.rawValue)")
            }
            if let retired = retiredTags[message.name], !retired.isEmpty {
                lines.append("  retired " + retired.sorted().map(String.init).joined(separator: " "))
            }
        }
        for enumeration in enums.values.sorted(by: { $0.name < $1.name }) {
            lines.append("")
            lines.append("enum \(enumeration.name) fallback \(enumeration.unknownCase)")
            for enumCase in enumeration.cases {
                lines.append("  \(enumCase.number) \(enumCase.name)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a contract written by ``rendered(header:)``; `#` starts a comment line.
    public init(text: String) throws {
        self.init()
        var typeNames: Set<String> = []
        enum Block {
            case none
            case message(String)
            case enumeration(String)
        }
        var block = Block.none
        // Field types name messages and enums that may come later in the file.
        var pendingFields: [(message: String, tag: UInt32, name: String, type: String, presence: WirePresence, line: Int)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let words = rawLine.split(separator: " ").map(String.init)
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            func invalid(_ problem: String) -> ContractTextError { ContractTextError(line: number, problem: problem) }
            let indented = rawLine.hasPrefix(" ")
            switch (indented, first, block) {
            case (false, "method", _):
                block = .none
                let method = try Self.method(words, invalid)
                methods[method.wireName] = method
            case (false, "message", _) where words.count == 2:
                block = .message(words[1])
                messages[words[1]] = WireMessageSchema(name: words[1], fields: [])
                typeNames.insert(words[1])
            case (false, "enum", _) where words.count == 4 && words[2] == "fallback":
                block = .enumeration(words[1])
                enums[words[1]] = WireEnumSchema(name: words[1], cases: [], unknownCase: words[3])
            case (true, "retired", .message(let name)):
                let tags = words.dropFirst().compactMap { UInt32($0) }
                guard tags.count == words.count - 1 else { throw invalid("retired takes tag numbers") }
                retiredTags[name, default: []].formUnion(tags)
            case (true, _, .message(let name)):
                guard words.count == 4, let tag = UInt32(words[0]), let presence = WirePresence(rawValue: words[3]) else {
                    throw invalid("expected a field: tag name type required|defaulted|optional|repeated")
                }
                pendingFields.append((name, tag, words[1], words[2], presence, number))
            case (true, _, .enumeration(let name)):
                guard words.count == 2, let caseNumber = Int32(words[0]) else { throw invalid("expected an enum case: number name") }
                enums[name]?.cases.append(.init(name: words[1], number: caseNumber))
            default:
                throw invalid("unexpected \"\(rawLine)\"")
            }
        }
        for field in pendingFields {
            let type: WireValueType
            if let scalar = Self.scalarTypes[field.type] {
                type = scalar
            } else if typeNames.contains(field.type) {
                type = .message(field.type)
            } else if enums[field.type] != nil {
                type = .enumeration(field.type)
            } else {
                throw ContractTextError(line: field.line, problem: "unknown type \(field.type)")
            }
            messages[field.message]?.fields.append(WireFieldSchema(tag: field.tag, name: field.name, type: type, presence: field.presence))
        }
    }

    private static let scalarTypes: [String: WireValueType] = Dictionary(
        uniqueKeysWithValues: [WireValueType.bool, .int32, .int64, .uint32, .uint64, .float, .double, .string, .bytes, .timestamp].map {
            ($0.description, $0)
        })

    private static func method(_ words: [String], _ invalid: (String) -> ContractTextError) throws -> Method {
        guard words.count >= 7, words[2].hasPrefix("v"), let version = Int(words[2].dropFirst()) else {
            throw invalid("expected: method NAME vN [idempotent] request TYPE response TYPE [errors A,B]")
        }
        var rest = Array(words[3...])
        let isIdempotent = rest.first == "idempotent"
        if isIdempotent { rest.removeFirst() }
        guard rest.count >= 4, rest[0] == "request", rest[2] == "response" else { throw invalid("expected request TYPE response TYPE") }
        var errors: [RPCStatusCode] = []
        if rest.count == 6, rest[4] == "errors" {
            for name in rest[5].split(separator: ",") {
                guard let code = RPCStatusCode.allCases.first(where: { $0.description == name }) else {
                    throw invalid("unknown status \(name)")
                }
                errors.append(code)
            }
        } else if rest.count != 4 {
            throw invalid("unexpected words after the response type")
        }
        return Method(name: words[1], version: version, isIdempotent: isIdempotent, request: rest[1], response: rest[3], errors: errors)
    }
}

public struct ContractTextError: Error, CustomStringConvertible {
    public var line: Int
    public var problem: String

    public var description: String { "line \(line): \(problem)" }
}
