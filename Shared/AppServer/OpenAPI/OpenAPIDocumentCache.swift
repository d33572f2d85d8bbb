import NIOConcurrencyHelpers
public import NIOCore

/// The rendered OpenAPI document per server URL. The document only changes with the origin
/// the client used, and rendering it (route table, schemas, JSON) costs about a millisecond —
/// far more than serving it — so each origin is rendered once. Bounded, because the origin
/// comes from request headers.
public final class OpenAPIDocumentCache: Sendable {
    private let documents = NIOLockedValueBox<[String: ByteBuffer]>([:])
    private let capacity: Int

    /// A cache of at most `capacity` documents.
    public init(capacity: Int = 16) {
        self.capacity = capacity
    }

    /// The cached document for `serverURL`, rendered by `render` when there is none.
    public func document(for serverURL: String, render: () -> ByteBuffer) -> ByteBuffer {
        if let cached = documents.withLockedValue({ $0[serverURL] }) { return cached }
        let rendered = render()
        documents.withLockedValue { documents in
            if documents.count >= capacity { documents.removeAll(keepingCapacity: true) }
            documents[serverURL] = rendered
        }
        return rendered
    }
}
