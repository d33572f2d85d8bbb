public import Logging
public import Metrics
import NIOCore
import PostgresNIO
public import RPC
public import ServiceLifecycle
import Synchronization

/// Merges the pending entries of GIN indexes into the indexes every `interval`, in a session
/// of its own, so that no request pays for the merge.
///
/// A GIN index built with `fastupdate` (PostgreSQL's default) takes new entries into an
/// unsorted pending list and merges that list into the index in bulk once it outgrows
/// `gin_pending_list_limit` (4 MB), inside whichever `INSERT` crosses the limit. Measured on
/// the example app's trigram index under its POST load (~8 000 inserts/s, 2 cores): every
/// ~0.8 s one multi-row insert ran 50–120 ms instead of ~2, and the batch of requests behind
/// it waited as long, the whole of the POST p99 (42–47 ms against 22–24 ms with the merge
/// done here every 250 ms). `gin_clean_pending_list` does the same merge (the work is not
/// less, only moved); called often enough, the list never reaches the limit, and searches,
/// which scan the whole pending list, stay fast too.
///
/// The database user must own the indexes (PostgreSQL asks the same as for `VACUUM`). A
/// failure is counted and retried on the next round; one with a cause of its own (the index is
/// missing, or not owned) is logged as a warning once per index until that index is cleaned
/// again, while an unavailable database is left to the health monitor to report.
///
/// With `afterWritesOnly`, a round runs only if ``noteWrites()`` was called since the last one
/// (and once at start, for what was written before): an idle service then leaves PostgreSQL
/// alone instead of asking it to merge empty lists four times a second. The service's own
/// writes are what fill the lists; writes by other processes wait for PostgreSQL's own merge,
/// or for this service's next write.
public struct GINPendingListCleanup: Service, CustomStringConvertible {
    /// The indexes, as `regclass` text: a name, schema-qualified or found on the search path.
    public let indexes: [String]
    public let interval: Duration
    private let database: Database
    private let logger: Logger
    private let metrics: CleanupMetrics
    /// Nil: every round cleans.
    private let writes: WriteMarks?

    /// Whether rows went into the indexed tables since the last round took the mark.
    final class WriteMarks: Sendable {
        private let marked = Atomic<Bool>(true)

        func mark() { marked.store(true, ordering: .relaxed) }
        /// True once per stretch of marks.
        func take() -> Bool { marked.exchange(false, ordering: .relaxed) }
    }

    /// What the cleanup reports, each series labelled `index`.
    struct CleanupMetrics: Sendable {
        /// Pending-list pages merged into the index (`db_gin_pending_pages_cleaned_total`).
        let pages: [String: Counter]
        /// One `gin_clean_pending_list` call (`db_gin_cleanup_duration_seconds`).
        let duration: [String: Timer]
        /// Calls that failed (`db_gin_cleanup_failures_total`).
        let failures: [String: Counter]

        init(indexes: [String], factory: any MetricsFactory) {
            func each<M>(_ make: ([(String, String)]) -> M) -> [String: M] {
                Dictionary(indexes.map { ($0, make([("index", $0)])) }, uniquingKeysWith: { first, _ in first })
            }
            pages = each { Counter(label: "db_gin_pending_pages_cleaned_total", dimensions: $0, factory: factory) }
            duration = each { Timer(label: "db_gin_cleanup_duration_seconds", dimensions: $0, factory: factory) }
            failures = each { Counter(label: "db_gin_cleanup_failures_total", dimensions: $0, factory: factory) }
        }
    }

    /// - Parameters:
    ///   - indexes: GIN indexes to keep clean; the service does nothing without any.
    ///   - interval: time between rounds; a round cleans every index once.
    ///   - afterWritesOnly: skip a round unless ``noteWrites()`` was called since the last one.
    ///   - metricsFactory: where the metrics go: the bootstrapped factory unless a test brings its own.
    public init(
        indexes: [String], interval: Duration, database: Database, logger: Logger, afterWritesOnly: Bool = false,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.indexes = indexes
        self.interval = interval
        self.database = database
        self.logger = logger
        writes = afterWritesOnly ? WriteMarks() : nil
        metrics = CleanupMetrics(indexes: indexes, factory: metricsFactory)
    }

    /// Rows went into a table of one of the indexes: the next round cleans (with `afterWritesOnly`).
    public func noteWrites() {
        writes?.mark()
    }

    public var description: String { "GINPendingListCleanup" }

    public func run() async {
        // Returning early would end the whole service group.
        guard !indexes.isEmpty, interval > .zero else { return (try? await gracefulShutdown()) ?? () }
        await cancelWhenGracefulShutdown {
            var failing: Set<String> = []
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                if let writes, !writes.take() { continue }
                for index in indexes {
                    do throws(RPCError) {
                        _ = try await clean(index)
                        if failing.remove(index) != nil { logger.info("GIN pending list cleaned again", metadata: ["index": "\(index)"]) }
                    } catch let error where error.code == .unavailable {
                        // The database is down or not yet known to be up: the monitor reports that.
                        logger.debug("GIN pending list cleanup skipped", metadata: ["index": "\(index)", "error": "\(error)"])
                        writes?.mark()
                    } catch {
                        writes?.mark()
                        if failing.insert(index).inserted {
                            logger.warning(
                                "GIN pending list cleanup failed; retrying every interval",
                                metadata: ["index": "\(index)", "error": "\(error)"])
                        }
                    }
                }
            }
        }
    }

    /// Merges `index`'s pending list now; returns the pages it took off the list.
    @discardableResult
    public func clean(_ index: String) async throws(RPCError) -> Int {
        let started = NIODeadline.now()
        do {
            let pages = try await database.withConnection(database.budget(deadline: nil), logger: logger) { connection in
                try await connection.run("SELECT gin_clean_pending_list(\(index)::regclass)", logger: logger)
                    .first?.decode(Int.self) ?? 0
            }
            metrics.duration[index]?.recordNanoseconds((NIODeadline.now() - started).nanoseconds)
            metrics.pages[index]?.increment(by: pages)
            return pages
        } catch {
            metrics.failures[index]?.increment()
            throw error
        }
    }
}
