/// Key/value pairs sent with every call: at least the request id and the W3C `traceparent`.
///
/// Stored as a small array: calls carry a handful of entries, for which a linear scan beats
/// hashing and keeps the wire order stable.
public struct RPCMetadata: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    public static let requestIDKey = "request-id"
    public static let traceparentKey = "traceparent"
    public static let tracestateKey = "tracestate"

    @usableFromInline var entries: [(key: String, value: String)]

    public init() { entries = [] }

    public init(dictionaryLiteral elements: (String, String)...) {
        entries = elements.map { (key: $0.0, value: $0.1) }
    }

    public subscript(key: String) -> String? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key: key, value: newValue))
            }
        }
    }

    public var requestID: String? {
        get { self[Self.requestIDKey] }
        set { self[Self.requestIDKey] = newValue }
    }

    public var traceparent: String? {
        get { self[Self.traceparentKey] }
        set { self[Self.traceparentKey] = newValue }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> { entries.makeIterator() }

    public static func == (lhs: RPCMetadata, rhs: RPCMetadata) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }
}
