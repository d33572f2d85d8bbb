/// How one service's processes are started.
public struct ServiceLaunch: Sendable, Equatable {
    public var executable: String
    /// Appended after the arguments the master derives, so they can override them (the last
    /// occurrence of a flag wins).
    public var arguments: [String]
    /// Added to the environment the master itself got.
    public var environment: [String: String]
    /// Prometheus counter whose sum over all series is the instance's request count; empty
    /// when the service exports none.
    public var requestMetric: String

    public init(executable: String, arguments: [String] = [], environment: [String: String] = [:], requestMetric: String = "") {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.requestMetric = requestMetric
    }
}

/// Everything the master was configured with.
public struct MasterConfiguration: Sendable {
    public var plan: SupervisorPlan
    public var launches: [ServiceKind: ServiceLaunch]
    /// Address every instance listens on and is reached at.
    public var host: String
    /// Address the edge's public HTTP listener binds.
    public var edgeHTTPHost: String
    public var readyTimeout: Duration
    public var stopTimeout: Duration
    public var checkInterval: Duration
    /// Where the running instances are recorded for a later master; nil: one per admin port
    /// in the temporary folder.
    public var childrenFile: String?

    public init(
        plan: SupervisorPlan, launches: [ServiceKind: ServiceLaunch], host: String = "127.0.0.1",
        edgeHTTPHost: String = "127.0.0.1", readyTimeout: Duration = .seconds(60), stopTimeout: Duration = .seconds(30),
        checkInterval: Duration = .seconds(1), childrenFile: String? = nil
    ) {
        self.plan = plan
        self.launches = launches
        self.host = host
        self.edgeHTTPHost = edgeHTTPHost
        self.readyTimeout = readyTimeout
        self.stopTimeout = stopTimeout
        self.checkInterval = checkInterval
        self.childrenFile = childrenFile
    }
}
