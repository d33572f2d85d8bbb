/// A field's type as the contract records it.
public enum WireValueType: Hashable, Sendable, CustomStringConvertible {
    case bool, int32, int64, uint32, uint64, float, double, string, bytes, timestamp
    /// A nested message, by type name.
    case message(String)
    /// An enumeration, by type name.
    case enumeration(String)

    public var description: String {
        switch self {
        case .bool: "bool"
        case .int32: "int32"
        case .int64: "int64"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .float: "float"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .timestamp: "timestamp"
        case .message(let name): name
        case .enumeration(let name): name
        }
    }
}

/// Whether a field must be on the wire, and how many times.
public enum WirePresence: String, Hashable, Sendable, CaseIterable {
    /// Always written; a message without it is refused.
    case required
    /// Always written; a peer that leaves it out gets the default (`required: false`).
    case defaulted
    /// Written when not nil; absent is nil.
    case optional
    /// Zero or more entries; absent is empty.
    case repeated
}

public struct WireFieldSchema: Hashable, Sendable {
    public var tag: UInt32
    public var name: String
    public var type: WireValueType
    public var presence: WirePresence

    public init(tag: UInt32, name: String, type: WireValueType, presence: WirePresence) {
        self.tag = tag
        self.name = name
        self.type = type
        self.presence = presence
    }
}

public struct WireMessageSchema: Hashable, Sendable {
    public var name: String
    /// In the order `wireFields` lists them.
    public var fields: [WireFieldSchema]

    public init(name: String, fields: [WireFieldSchema]) {
        self.name = name
        self.fields = fields
    }

    /// Rules the format relies on that the compiler cannot check: tags unique, ascending and
    /// in range, names unique.
    public var declarationProblems: [String] {
        var problems: [String] = []
        var previous: UInt32 = 0
        var names: Set<String> = []
        for field in fields {
            if field.tag == 0 || field.tag > WireLimits.maxTag {
                problems.append("\(name).\(field.name): tag \(field.tag) is out of range")
            }
            if field.tag <= previous { problems.append("\(name).\(field.name): tag \(field.tag) does not follow \(previous)") }
            if !names.insert(field.name).inserted { problems.append("\(name).\(field.name): the name is used twice") }
            previous = max(previous, field.tag)
        }
        return problems
    }
}

public struct WireEnumSchema: Hashable, Sendable {
    public struct Case: Hashable, Sendable {
        public var name: String
        public var number: Int32

        public init(name: String, number: Int32) {
            self.name = name
            self.number = number
        }
    }

    public var name: String
    public var cases: [Case]
    /// The case unknown numbers decode to.
    public var unknownCase: String

    public init(name: String, cases: [Case], unknownCase: String) {
        self.name = name
        self.cases = cases
        self.unknownCase = unknownCase
    }
}

/// A message type with every message and enum it reaches.
public struct WireSchema: Hashable, Sendable {
    public var root: WireValueType
    public var messages: [String: WireMessageSchema]
    public var enums: [String: WireEnumSchema]

    /// Names that two different types share (`A.Item` and `B.Item` both print as `Item`): the
    /// contract could not tell them apart, so ``WireContract/declarationProblems`` reports them.
    public var nameClashes: Set<String> = []

    public var rootMessage: WireMessageSchema? {
        guard case .message(let name) = root else { return nil }
        return messages[name]
    }
}

extension WireFields {
    @usableFromInline
    mutating func describeField<Value: WireValue>(_ tag: UInt32, _ name: StaticString, _: Value.Type, _ presence: WirePresence) {
        let type = Value.wireValueType(in: &self)
        describedFields.append(WireFieldSchema(tag: tag, name: "\(name)", type: type, presence: presence))
    }

    mutating func describeMessage<Message: WireMessage>(_: Message.Type) -> WireValueType {
        let name = String(describing: Message.self)
        guard describedMessages[name] == nil else {
            noteType(Message.self, named: name)
            return .message(name)
        }
        noteType(Message.self, named: name)
        // Recorded before its fields, so a type that contains itself ends the recursion.
        describedMessages[name] = WireMessageSchema(name: name, fields: [])
        let outerFields = describedFields
        describedFields = []
        var message = Message()
        // Describing only records; `field` throws nothing in this mode.
        try? message.wireFields(&self)
        describedMessages[name] = WireMessageSchema(name: name, fields: describedFields)
        describedFields = outerFields
        return .message(name)
    }

    mutating func describeEnum<Enumeration: WireEnum>(_: Enumeration.Type) -> WireValueType {
        let name = String(describing: Enumeration.self)
        noteType(Enumeration.self, named: name)
        if describedEnums[name] == nil {
            describedEnums[name] = WireEnumSchema(
                name: name, cases: Enumeration.allCases.map { .init(name: "\($0)", number: $0.rawValue) },
                unknownCase: "\(Enumeration.unknownCase)")
        }
        return .enumeration(name)
    }

    private mutating func noteType(_ type: Any.Type, named name: String) {
        let identifier = ObjectIdentifier(type)
        if let known = describedTypes[name], known != identifier { describedNameClashes.insert(name) }
        describedTypes[name] = describedTypes[name] ?? identifier
    }
}
