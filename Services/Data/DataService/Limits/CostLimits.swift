import Metrics
import MicropostsModels
import RPC

/// What one request and one caller may cost the database. Without these a single user could
/// hold every pooled connection until the statement timeout: searches the trigram index
/// cannot narrow scan the whole table, and `OFFSET` walks every row it skips.
struct CostLimits: Sendable, Equatable {
    /// Deepest item a page may reach (`page × size`), like Elasticsearch's
    /// `index.max_result_window`. OFFSET costs as much as reading the rows it skips, so a deep
    /// page of a large list costs far more than the page it returns.
    var maximumResultWindow: Int
    /// Expensive calls (search, timeline) one caller may have running in one data process.
    var expensiveCallsPerCaller: Int
    /// Expensive calls all callers together may have running, or nil for the pool size less
    /// ``reservedConnections``: the rest of the pool stays free for the cheap point reads and
    /// pages every other user is waiting on.
    var expensiveStatements: Int?

    static let defaultMaximumResultWindow = 10_000
    static let defaultExpensiveCallsPerCaller = 2
    static let reservedConnections = 2

    init(
        maximumResultWindow: Int = defaultMaximumResultWindow,
        expensiveCallsPerCaller: Int = defaultExpensiveCallsPerCaller,
        expensiveStatements: Int? = nil
    ) {
        self.maximumResultWindow = maximumResultWindow
        self.expensiveCallsPerCaller = expensiveCallsPerCaller
        self.expensiveStatements = expensiveStatements
    }

    /// The global cap for a pool of `poolSize` connections.
    static func defaultExpensiveStatements(poolSize: Int) -> Int {
        max(1, poolSize - reservedConnections)
    }

    func expensiveStatements(poolSize: Int) -> Int {
        expensiveStatements ?? Self.defaultExpensiveStatements(poolSize: poolSize)
    }
}

/// Refuses pages deeper than the result window before any SQL runs.
struct PageDepthLimit: Sendable {
    let maximumResultWindow: Int
    private let refusals = Counter(label: "data_deep_pages_refused_total")

    init(maximumResultWindow: Int) {
        self.maximumResultWindow = maximumResultWindow
    }

    /// `page` is already validated, so the product cannot overflow (at most 10^6 × 100).
    func check(_ page: PageRequest) throws(RPCError) {
        guard page.page * page.size > maximumResultWindow else { return }
        refusals.increment()
        throw .invalidArgument(
            "page: page × size must be at most \(maximumResultWindow) (the result window); "
                + "page \(page.page) of size \(page.size) reaches item \(page.page * page.size). Narrow the query instead.")
    }
}

/// The requests that ask for a page of a list.
protocol PagedRequest: ValidatedRequest {
    var page: PageRequest { get }
}

extension UserListRequest: PagedRequest {}
extension SearchMicropostsRequest: PagedRequest {}
