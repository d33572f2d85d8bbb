import Metrics
import NIOConcurrencyHelpers
import NIOCore
public import Tracing

/// What every SQL statement reports: its latency by name (`db_statement_duration_seconds{statement}`)
/// and, inside a trace, a client span after OpenTelemetry's database conventions
/// (`db.system.name`, `db.operation.name`, `db.query.text` with its placeholders, never the
/// values). With no current span (tracing off, or work no request started) no span is made, at
/// the cost of one task-local read. A batched statement's span links to every traced request
/// the batch serves, with `db.operation.batch.size` (keys) and `batch.requests`.
public enum StatementTelemetry {
    /// Runs `body` as the statement `name`: a prepared statement's name, or the SQL's first
    /// keyword for ad-hoc ones (``operation(of:)``), so the label's values stay few. `tracer`
    /// nil: the bootstrapped one.
    public static func run<Result>(
        _ name: String, sql: String, tracer: (any Tracer)? = nil, isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async throws -> Result {
        let started = NIODeadline.now()
        defer { timers.timer(for: name).recordNanoseconds((NIODeadline.now() - started).nanoseconds) }
        guard let parent = ServiceContext.current else { return try await body() }
        let span = (tracer ?? InstrumentationSystem.tracer).startSpan(name, context: parent, ofKind: .client)
        defer { span.end() }
        if span.isRecording {
            let batch = parent.statementBatch
            for request in batch?.requests ?? [] { span.addLink(SpanLink(context: request, attributes: [:])) }
            span.updateAttributes { attributes in
                attributes["db.system.name"] = "postgresql"
                attributes["db.operation.name"] = operation(of: sql)
                attributes["db.query.text"] = sql
                if let batch {
                    attributes["db.operation.batch.size"] = batch.keys
                    attributes["batch.requests"] = batch.waiters
                }
            }
        }
        do {
            return try await body()
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// The statement's first keyword, upper-cased: `SELECT`, `INSERT`, `WITH`, …
    public static func operation(of sql: String) -> String {
        let trimmed = sql.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" }
        return trimmed.prefix { $0.isLetter }.uppercased()
    }

    private static let timers = StatementTimers()
}

/// One timer per statement name, made on first use: the metrics factory would look it up under
/// its own lock on every statement otherwise.
private final class StatementTimers: Sendable {
    private let timers = NIOLockedValueBox<[String: Timer]>([:])

    func timer(for name: String) -> Timer {
        timers.withLockedValue { timers in
            if let timer = timers[name] { return timer }
            let timer = Timer(label: "db_statement_duration_seconds", dimensions: [("statement", name)])
            timers[name] = timer
            return timer
        }
    }
}
