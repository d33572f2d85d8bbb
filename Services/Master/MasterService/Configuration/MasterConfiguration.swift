/// Everything the master was configured with.
public struct MasterConfiguration: Sendable {
    public var plan: SupervisorPlan
    /// The services, as the topology file (or the built-in topology) and the flags made them.
    public var topology: Topology
    /// Address every instance listens on and is reached at.
    public var host: String
    /// Address public HTTP listeners (a service's `http` port) bind.
    public var publicHost: String
    public var readyTimeout: Duration
    public var stopTimeout: Duration
    public var checkInterval: Duration
    /// Where the running instances are recorded for a later master; nil: one per admin port
    /// in the temporary folder.
    public var childrenFile: String?
    /// Set for `master --watch`.
    public var watch: WatchSettings?

    public init(
        plan: SupervisorPlan, topology: Topology, host: String = "127.0.0.1", publicHost: String = "127.0.0.1",
        readyTimeout: Duration = .seconds(60), stopTimeout: Duration = .seconds(30), checkInterval: Duration = .seconds(1),
        childrenFile: String? = nil, watch: WatchSettings? = nil
    ) {
        self.plan = plan
        self.topology = topology
        self.host = host
        self.publicHost = publicHost
        self.readyTimeout = readyTimeout
        self.stopTimeout = stopTimeout
        self.checkInterval = checkInterval
        self.childrenFile = childrenFile
        self.watch = watch
    }
}

/// How `master --watch` looks for changed sources.
public struct WatchSettings: Sendable, Equatable {
    /// How often the sources' modification times are read.
    public var interval: Duration
    /// How long the sources must stay unchanged before a rebuild starts, so a save of
    /// several files (or a `git checkout`) causes one build.
    public var quiet: Duration

    public init(interval: Duration = .seconds(1), quiet: Duration = .milliseconds(500)) {
        self.interval = interval
        self.quiet = quiet
    }
}
