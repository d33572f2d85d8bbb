public import Tracing

/// The batch a statement runs for, in a trace: the traced requests it serves, and how many keys
/// and requests it answers. ``StatementBatcher`` puts it in the context the statement runs in
/// (the first traced request's); ``StatementTelemetry`` gives the statement's span a link to
/// each request and the sizes, so a batch costs no span of its own.
@usableFromInline
struct StatementBatchTrace: Sendable {
    @usableFromInline let requests: [ServiceContext]
    @usableFromInline let keys: Int
    @usableFromInline let waiters: Int

    @inlinable
    init(requests: [ServiceContext], keys: Int, waiters: Int) {
        self.requests = requests
        self.keys = keys
        self.waiters = waiters
    }
}

@usableFromInline
enum StatementBatchTraceKey: ServiceContextKey {
    @usableFromInline typealias Value = StatementBatchTrace
}

extension ServiceContext {
    @usableFromInline
    var statementBatch: StatementBatchTrace? {
        get { self[StatementBatchTraceKey.self] }
        set { self[StatementBatchTraceKey.self] = newValue }
    }
}
